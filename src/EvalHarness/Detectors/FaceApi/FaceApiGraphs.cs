using A = EvalHarness.Detectors.FaceApi.OnnxGraphWriter.Attribute;

namespace EvalHarness.Detectors.FaceApi;

/// <summary>
/// Builds the ONNX graphs of face-api's two detectors from their tfjs weights, layer by layer as
/// shared/spec/faceapi-detectors.md §2.3 / §3.2 give them: NCHW, filters transposed from HWIO
/// (regular: perm 3,2,0,1; depthwise: perm 2,3,0,1 with group = C), TensorFlow SAME padding
/// computed per layer (0 before / 1 after on every stride-2 3×3 conv, the classic porting bug).
/// The input is the already normalised tensor (the C# front end reproduces face-api's
/// pre-processing exactly); the outputs are the raw encodings / logits / grid, so decoding stays
/// in C#.
/// </summary>
internal static class FaceApiGraphs
{
    public const string InputName = "input";
    public const string SsdEncodings = "box_encodings";
    public const string SsdLogits = "class_logits";
    public const string SsdPriors = "priors";
    public const string TinyGrid = "grid";

    public const int SsdInputSize = 512;
    public const int SsdPriorCount = 5118;
    public const int TinyInputSize = 416;
    public const int TinyGridSize = 13;
    public const int TinyChannels = 25;

    /// <summary>tfjs batchNorm's ε in face-api's depthwise layers (float32 0.001).</summary>
    public const float BatchNormEpsilon = 0.0010000000474974513f;

    /// <summary>SSD heads: grid size and priors per cell, in flat-index order (spec §2.3).</summary>
    public static readonly (int Grid, int Anchors)[] SsdLevels = [(32, 3), (16, 6), (8, 6), (4, 6), (2, 6), (1, 6)];

    // (output channels, depthwise stride) of MobileNetV1 conv_1..conv_13; stride 2 at layer indices 2, 4, 6, 12
    private static readonly (int Out, int Stride)[] MobileNetBlocks =
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)];

    // face-api's prediction layer: (kernel, stride, output channels) of Prediction/Conv2d_0..7
    private static readonly (int Kernel, int Stride, int Out)[] ExtraLayers =
        [(1, 1, 256), (3, 2, 512), (1, 1, 128), (3, 2, 256), (1, 1, 128), (3, 2, 256), (1, 1, 64), (3, 2, 128)];

    public static OnnxGraphWriter BuildSsd(TfjsWeights w)
    {
        var g = new Builder(new OnnxGraphWriter("faceapi_ssd_mobilenetv1"));
        g.Writer.Input(InputName, 1, 3, SsdInputSize, SsdInputSize);
        var x = new Feature(InputName, 3, SsdInputSize);
        x = g.ConvRelu6(x, w, "MobilenetV1/Conv2d_0_pointwise", 3, 2, 32);
        Feature fm0 = default;
        for (var i = 1; i <= MobileNetBlocks.Length; i++)
        {
            var (outChannels, stride) = MobileNetBlocks[i - 1];
            x = g.DepthwiseBnRelu6(x, w, $"MobilenetV1/Conv2d_{i}_depthwise", stride);
            x = g.ConvRelu6(x, w, $"MobilenetV1/Conv2d_{i}_pointwise", 1, 1, outChannels);
            if (i == 11) fm0 = x;
        }
        var features = new List<Feature> { fm0, x };
        for (var i = 0; i < ExtraLayers.Length; i++)
        {
            var (kernel, stride, outChannels) = ExtraLayers[i];
            x = g.ConvRelu6(x, w, $"Prediction/Conv2d_{i}_pointwise", kernel, stride, outChannels);
            if (i % 2 == 1) features.Add(x);
        }
        var encodings = new List<string>();
        var logits = new List<string>();
        for (var i = 0; i < SsdLevels.Length; i++)
        {
            var (grid, anchors) = SsdLevels[i];
            var f = features[i];
            if (f.Size != grid) throw new InvalidOperationException($"SSD feature map {i} is {f.Size}×{f.Size}, expected {grid}×{grid}");
            encodings.Add(g.Head(f, w, $"Prediction/BoxPredictor_{i}/BoxEncodingPredictor", anchors, 4));
            logits.Add(g.Head(f, w, $"Prediction/BoxPredictor_{i}/ClassPredictor", anchors, 3));
        }
        g.Writer.Node("Concat", [.. encodings], SsdEncodings, A.Of("axis", 1L));
        g.Writer.Node("Concat", [.. logits], SsdLogits, A.Of("axis", 1L));
        var priors = w.Get("Output/extra_dim", 1, SsdPriorCount, 4);
        g.Writer.Node("Identity", [g.Writer.Initializer(priors.Name, [1, SsdPriorCount, 4], priors.Values)], SsdPriors);
        g.Writer.Output(SsdEncodings, 1, SsdPriorCount, 4);
        g.Writer.Output(SsdLogits, 1, SsdPriorCount, 3);
        g.Writer.Output(SsdPriors, 1, SsdPriorCount, 4);
        return g.Writer;
    }

    public static OnnxGraphWriter BuildTiny(TfjsWeights w)
    {
        var g = new Builder(new OnnxGraphWriter("faceapi_tiny_face_detector"));
        g.Writer.Input(InputName, 1, 3, TinyInputSize, TinyInputSize);
        var x = new Feature(InputName, 3, TinyInputSize);
        x = g.TinyConv(x, w, "conv0", 3, 16);
        int[] channels = [32, 64, 128, 256, 512];
        for (var i = 0; i < channels.Length; i++)
        {
            x = g.MaxPool(x, 2);
            x = g.SeparableLeaky(x, w, $"conv{i + 1}", channels[i]);
        }
        x = g.MaxPool(x, 1);
        var filters = w.Get("conv8/filters", 1, 1, 512, TinyChannels);
        var bias = w.Get("conv8/bias", TinyChannels);
        var conv = g.Conv(x.Name, "conv8", filters, bias, 1, [0, 0, 0, 0], 1);
        if (x.Size != TinyGridSize) throw new InvalidOperationException($"Tiny grid is {x.Size}×{x.Size}, expected {TinyGridSize}");
        g.Writer.Node("Transpose", [conv], TinyGrid, A.Of("perm", 0L, 2L, 3L, 1L));
        g.Writer.Output(TinyGrid, 1, TinyGridSize, TinyGridSize, TinyChannels);
        return g.Writer;
    }

    /// <summary>TensorFlow SAME padding of one axis: <c>out = ceil(in/s)</c>, the odd pixel goes after.</summary>
    public static (int Before, int After, int Out) TfSame(int size, int kernel, int stride)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max(0, ((output - 1) * stride) + kernel - size);
        return (total / 2, total - (total / 2), output);
    }

    /// <summary>HWIO <c>[kh, kw, Cin, Cout]</c> → OIHW <c>[Cout, Cin, kh, kw]</c>.</summary>
    public static float[] HwioToOihw(float[] w, int kh, int kw, int cin, int cout)
    {
        var o = new float[w.Length];
        for (var y = 0; y < kh; y++)
        for (var x = 0; x < kw; x++)
        for (var i = 0; i < cin; i++)
        for (var c = 0; c < cout; c++)
            o[(((c * cin) + i) * kh + y) * kw + x] = w[(((y * kw) + x) * cin + i) * cout + c];
        return o;
    }

    private readonly record struct Feature(string Name, int Channels, int Size);

    private sealed class Builder(OnnxGraphWriter writer)
    {
        private readonly string _zero = writer.Scalar("const/zero", 0f);
        private readonly string _six = writer.Scalar("const/six", 6f);

        public OnnxGraphWriter Writer { get; } = writer;

        public Feature ConvRelu6(Feature x, TfjsWeights w, string prefix, int kernel, int stride, int outChannels)
        {
            var filters = w.Get(prefix + "/weights", kernel, kernel, x.Channels, outChannels);
            var bias = w.Get(prefix + "/convolution_bn_offset", outChannels);
            var (before, after, size) = TfSame(x.Size, kernel, stride);
            var conv = Conv(x.Name, prefix, filters, bias, kernel, [before, before, after, after], stride);
            return new Feature(Writer.Node("Clip", [conv, _zero, _six], prefix + "/relu6"), outChannels, size);
        }

        public Feature DepthwiseBnRelu6(Feature x, TfjsWeights w, string prefix, int stride)
        {
            var c = x.Channels;
            var filters = w.Get(prefix + "/depthwise_weights", 3, 3, c, 1);
            var (before, after, size) = TfSame(x.Size, 3, stride);
            var dw = Depthwise(x.Name, prefix, filters, c, [before, before, after, after], stride);
            string Param(string name) => Vector(w.Get($"{prefix}/BatchNorm/{name}", c));
            var bn = Writer.Node(
                "BatchNormalization",
                [dw, Param("gamma"), Param("beta"), Param("moving_mean"), Param("moving_variance")],
                prefix + "/bn",
                A.Of("epsilon", BatchNormEpsilon));
            return new Feature(Writer.Node("Clip", [bn, _zero, _six], prefix + "/relu6"), c, size);
        }

        /// <summary>A box-predictor head: 1×1 conv, NCHW → NHWC, then <c>[1, g·g·k, values]</c> (anchor fastest, spec §2.4).</summary>
        public string Head(Feature x, TfjsWeights w, string prefix, int anchors, int values)
        {
            var filters = w.Get(prefix + "/weights", 1, 1, x.Channels, anchors * values);
            var bias = w.Get(prefix + "/biases", anchors * values);
            var conv = Conv(x.Name, prefix, filters, bias, 1, [0, 0, 0, 0], 1);
            var nhwc = Writer.Node("Transpose", [conv], prefix + "/nhwc", A.Of("perm", 0L, 2L, 3L, 1L));
            var shape = Writer.Int64Initializer(prefix + "/shape", 1, x.Size * x.Size * anchors, values);
            return Writer.Node("Reshape", [nhwc, shape], prefix + "/flat");
        }

        public Feature TinyConv(Feature x, TfjsWeights w, string prefix, int kernel, int outChannels)
        {
            var filters = w.Get(prefix + "/filters", kernel, kernel, x.Channels, outChannels);
            var bias = w.Get(prefix + "/bias", outChannels);
            // conv0 is VALID: no padding at all (SAME here moves scores by up to 0.44, spec §5)
            var conv = Conv(x.Name, prefix, filters, bias, kernel, [0, 0, 0, 0], 1);
            return new Feature(Leaky(conv, prefix), outChannels, x.Size - kernel + 1);
        }

        public Feature SeparableLeaky(Feature x, TfjsWeights w, string prefix, int outChannels)
        {
            var c = x.Channels;
            // face-api pads 1 on every side explicitly, then runs a VALID separable conv
            var dw = Depthwise(x.Name, prefix, w.Get(prefix + "/depthwise_filter", 3, 3, c, 1), c, [1, 1, 1, 1], 1);
            var pw = Conv(dw, prefix + "/pointwise", w.Get(prefix + "/pointwise_filter", 1, 1, c, outChannels), w.Get(prefix + "/bias", outChannels), 1, [0, 0, 0, 0], 1);
            return new Feature(Leaky(pw, prefix), outChannels, x.Size);
        }

        public Feature MaxPool(Feature x, int stride)
        {
            var (before, after, size) = TfSame(x.Size, 2, stride);
            // ONNX MaxPool ignores padded cells, as TF SAME pooling does
            var name = Writer.Node("MaxPool", [x.Name], $"pool{x.Size}s{stride}", A.Of("kernel_shape", 2L, 2L), A.Of("strides", stride, (long)stride), A.Of("pads", before, before, after, (long)after));
            return new Feature(name, x.Channels, size);
        }

        public string Conv(string input, string prefix, TfjsTensor filters, TfjsTensor bias, int kernel, int[] pads, int stride)
        {
            var cin = filters.Shape[2];
            var cout = filters.Shape[3];
            var weights = Writer.Initializer(filters.Name, [cout, cin, kernel, kernel], HwioToOihw(filters.Values, kernel, kernel, cin, cout));
            return Writer.Node("Conv", [input, weights, Vector(bias)], prefix + "/conv", ConvAttributes(kernel, pads, stride, 1));
        }

        private string Depthwise(string input, string prefix, TfjsTensor filters, int channels, int[] pads, int stride)
        {
            // [3, 3, C, 1] → [C, 1, 3, 3]: the HWIO transpose with Cin = C, Cout = 1 gives [1, C, 3, 3]; same bytes as [C, 1, 3, 3]
            var weights = Writer.Initializer(filters.Name, [channels, 1, 3, 3], HwioToOihw(filters.Values, 3, 3, channels, 1));
            return Writer.Node("Conv", [input, weights], prefix + "/depthwise", ConvAttributes(3, pads, stride, channels));
        }

        private string Vector(TfjsTensor t) => Writer.Initializer(t.Name, [t.ElementCount], t.Values);

        private string Leaky(string x, string prefix) => Writer.Node("LeakyRelu", [x], prefix + "/leaky", A.Of("alpha", 0.1f));

        private static A[] ConvAttributes(int kernel, int[] pads, int stride, int group) =>
        [
            A.Of("kernel_shape", kernel, (long)kernel),
            A.Of("pads", pads[0], pads[1], pads[2], (long)pads[3]),
            A.Of("strides", stride, (long)stride),
            A.Of("group", (long)group),
        ];
    }
}
