using EvalHarness.Detectors.Decoders;
using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.FaceApi;

/// <summary>
/// The face-api detectors' input: NCHW float32, RGB, already normalised by the front end. In
/// letterbox mode the front end reproduces face-api's own pre-processing (<see cref="FaceApiLetterbox"/>:
/// image at the top-left of a zero-padded square, asymmetric bilinear resize, float throughout);
/// in tiles mode the usual per-pixel normalisation applies, with the padding being a black pixel.
/// </summary>
public abstract class FaceApiDecoder : IDetectionDecoder
{
    private protected FaceApiDecoder(int inputSize, float[] mean, float[] std)
    {
        InputSize = inputSize;
        Input = new ModelInputSpec(FaceApiGraphs.InputName, inputSize, inputSize, TensorLayout.Nchw, ChannelOrder.Rgb, mean, std, (0f - mean[0]) / std[0])
        {
            ChannelPadValues = [(0f - mean[0]) / std[0], (0f - mean[1]) / std[1], (0f - mean[2]) / std[2]],
        };
    }

    public int InputSize { get; }
    public ModelInputSpec Input { get; }
    public abstract IReadOnlyList<OutputTensorSpec> Outputs { get; }
    public abstract IReadOnlyList<DecoderLevel> Levels { get; }
    public int KeypointCount => 0;

    public abstract string Describe();

    public abstract void Decode(IReadOnlyList<float[]> outputs, CandidateMap map);

    /// <summary>face-api's normalisation of one (resized, float) pixel value of channel <paramref name="c"/>, with its float32 op order.</summary>
    internal abstract float Normalise(float value, int c);
}

/// <summary>
/// face-api's SSD MobileNet V1 (spec faceapi-detectors.md §2): six levels, grids 32/16/8/4/2/1 with
/// 3, 6, 6, 6, 6, 6 priors per cell (5118), the stored prior table, the TF box coder with variances
/// 10/10/5/5 evaluated step by step in float32 as face-api's tensor ops do, score = sigmoid of the
/// face logit (channel 1). Boxes come out unclipped, in network-input pixels.
/// </summary>
internal sealed class FaceApiSsdDecoder : FaceApiDecoder
{
    private static readonly OutputTensorSpec[] OutputSpecs =
    [
        new(FaceApiGraphs.SsdEncodings, [1, FaceApiGraphs.SsdPriorCount, 4]),
        new(FaceApiGraphs.SsdLogits, [1, FaceApiGraphs.SsdPriorCount, 3]),
        new(FaceApiGraphs.SsdPriors, [1, FaceApiGraphs.SsdPriorCount, 4]),
    ];

    private static readonly DecoderLevel[] LevelSpecs = FaceApiGraphs.SsdLevels
        .Select(l => new DecoderLevel(l.Grid, l.Grid, l.Anchors, FaceApiGraphs.SsdInputSize / l.Grid)).ToArray();

    public FaceApiSsdDecoder() : base(FaceApiGraphs.SsdInputSize, [127.5f, 127.5f, 127.5f], [127.5f, 127.5f, 127.5f]) { }

    public override IReadOnlyList<OutputTensorSpec> Outputs => OutputSpecs;
    public override IReadOnlyList<DecoderLevel> Levels => LevelSpecs;

    public override string Describe() => "faceapi-ssd(S=512,priors=5118,var=10/10/5/5,sigmoid)";

    // tfjs: tf.div(x, 127.5) then tf.sub(·, 1), each rounded to float32
    internal override float Normalise(float value, int c) => (value / 127.5f) - 1f;

    public override void Decode(IReadOnlyList<float[]> outputs, CandidateMap map)
    {
        if (outputs.Count != 3) throw new ArgumentException($"face-api SSD decodes 3 outputs, got {outputs.Count}", nameof(outputs));
        var enc = outputs[0];
        var logits = outputs[1];
        var priors = outputs[2];
        var size = (float)InputSize;
        for (var n = 0; n < FaceApiGraphs.SsdPriorCount; n++)
        {
            var box = DecodeBox(priors.AsSpan(4 * n, 4), enc.AsSpan(4 * n, 4));
            var score = DetectionDecoderExtensions.Sigmoid(logits[(3 * n) + 1]);
            // [ymin, xmin, ymax, xmax] normalised to the padded square → x1, y1, x2, y2 in input pixels (×512 is exact)
            map.Set(n, score, box.XMin * size, box.YMin * size, box.XMax * size, box.YMax * size);
        }
    }

    /// <summary>face-api's <c>decodeBoxesLayer</c>: every step a float32 tensor op (division by 10, 5, 2 as written).</summary>
    internal static (float YMin, float XMin, float YMax, float XMax) DecodeBox(ReadOnlySpan<float> prior, ReadOnlySpan<float> t)
    {
        var ha = prior[2] - prior[0];
        var wa = prior[3] - prior[1];
        var cya = prior[0] + (ha / 2f);
        var cxa = prior[1] + (wa / 2f);
        var halfH = (float)Math.Exp(t[2] / 5f) * ha / 2f;
        var cy = (t[0] / 10f * ha) + cya;
        var halfW = (float)Math.Exp(t[3] / 5f) * wa / 2f;
        var cx = (t[1] / 10f * wa) + cxa;
        return (cy - halfH, cx - halfW, cy + halfH, cx + halfW);
    }
}

/// <summary>
/// face-api's Tiny Face Detector (spec §3): one 13×13 grid, 5 anchors, raw output NHWC
/// <c>[1, 13, 13, 25]</c> with channel <c>anchor·5 + (tx, ty, tw, th, objectness)</c>; score =
/// sigmoid(objectness), centre <c>(col + σ(tx))·32</c>, size <c>e^tw·anchor_w·32</c> input pixels
/// (face-api's <c>/13·inputSize</c>), evaluated in float64 like face-api's JS.
/// </summary>
internal sealed class FaceApiTinyDecoder : FaceApiDecoder
{
    public const int Anchors = 5;

    /// <summary>BOX_ANCHORS of face-api's tinyFaceDetector/const.ts, (width, height) in grid cells.</summary>
    internal static readonly (double W, double H)[] AnchorSizes =
        [(1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061), (4.266906, 5.178857), (9.041765, 10.66308)];

    private static readonly float[] Mean = [117.001f, 114.697f, 97.404f];

    private static readonly OutputTensorSpec[] OutputSpecs =
        [new(FaceApiGraphs.TinyGrid, [1, FaceApiGraphs.TinyGridSize, FaceApiGraphs.TinyGridSize, FaceApiGraphs.TinyChannels])];

    private static readonly DecoderLevel[] LevelSpecs =
        [new(FaceApiGraphs.TinyGridSize, FaceApiGraphs.TinyGridSize, Anchors, FaceApiGraphs.TinyInputSize / FaceApiGraphs.TinyGridSize)];

    public FaceApiTinyDecoder() : base(FaceApiGraphs.TinyInputSize, Mean, [255f, 255f, 255f]) { }

    public override IReadOnlyList<OutputTensorSpec> Outputs => OutputSpecs;
    public override IReadOnlyList<DecoderLevel> Levels => LevelSpecs;

    public override string Describe() => "faceapi-tiny(S=416,grid=13,anchors=5,sigmoid)";

    // face-api: tf.sub(x, meanRgb) then .div(255), each rounded to float32
    internal override float Normalise(float value, int c) => (value - Mean[c]) / 255f;

    public override void Decode(IReadOnlyList<float[]> outputs, CandidateMap map)
    {
        if (outputs.Count != 1) throw new ArgumentException($"face-api Tiny decodes 1 output, got {outputs.Count}", nameof(outputs));
        var grid = outputs[0];
        const int g = FaceApiGraphs.TinyGridSize;
        for (var row = 0; row < g; row++)
        {
            for (var col = 0; col < g; col++)
            {
                for (var a = 0; a < Anchors; a++)
                {
                    var n = (((row * g) + col) * Anchors) + a;
                    var t = grid.AsSpan(n * 5, 5);
                    var cx = (col + Logistic(t[0])) / g * InputSize;
                    var cy = (row + Logistic(t[1])) / g * InputSize;
                    var w = Math.Exp(t[2]) * AnchorSizes[a].W / g * InputSize;
                    var h = Math.Exp(t[3]) * AnchorSizes[a].H / g * InputSize;
                    var x1 = cx - (w / 2);
                    var y1 = cy - (h / 2);
                    map.Set(n, float.IsNaN(t[4]) ? float.NaN : (float)Logistic(t[4]), (float)x1, (float)y1, (float)(x1 + w), (float)(y1 + h));
                }
            }
        }
    }

    private static double Logistic(float x) => 1.0 / (1.0 + Math.Exp(-x));
}
