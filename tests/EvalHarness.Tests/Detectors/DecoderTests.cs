using EvalHarness.Detectors;
using EvalHarness.Detectors.Decoders;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Detectors;

public class BlazeFaceDecoderTests
{
    private static float[][] Outputs(BlazeFaceDecoder d) => d.Outputs.Select(o => new float[o.ElementCount]).ToArray();

    [Fact]
    public void Back_model_levels_are_16x16x2_at_stride_16_and_8x8x6_at_stride_32()
    {
        var d = new BlazeFaceDecoder(256);
        Assert.Equal([new DecoderLevel(16, 16, 2, 16), new DecoderLevel(8, 8, 6, 32)], d.Levels);
        Assert.Equal(["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"], d.Outputs.Select(o => o.Name));
        Assert.Equal([1, 384, 16], d.Outputs[3].Shape);
        Assert.Equal([1L, 256, 256, 3], d.Input.Shape);
        var front = new BlazeFaceDecoder(128);
        Assert.Equal([8, 16], front.Levels.Select(l => l.Stride));
    }

    [Fact]
    public void Decodes_a_level_1_anchor_by_hand()
    {
        var d = new BlazeFaceDecoder(256);
        var outputs = Outputs(d);
        // level 1, row 3, col 5, anchor 1: index (3·16 + 5)·2 + 1 = 107
        const int local = 107;
        outputs[0][local] = 2f;
        float[] r = [4f, -2f, 30f, 40f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f];
        r.CopyTo(outputs[2], local * 16);
        var map = new CandidateMap();
        map.ResetForDecoder(d);
        d.Decode(outputs, map);
        // anchor centre ((5 + 0.5)/16, (3 + 0.5)/16)·256 = (88, 56); cx = 88 + 4, cy = 56 − 2
        Assert.Equal(local, map.Levels[0].FlatIndex(3, 5, 1));
        Assert.Equal(77f, map.X1[local]);
        Assert.Equal(34f, map.Y1[local]);
        Assert.Equal(107f, map.X2[local]);
        Assert.Equal(74f, map.Y2[local]);
        Assert.Equal(1f / (1f + MathF.Exp(-2f)), map.Scores[local], 6);
        var k = map.Keypoints.AsSpan(local * 12, 12).ToArray();
        Assert.Equal([89f, 58f, 91f, 60f, 93f, 62f, 95f, 64f, 97f, 66f, 99f, 68f], k);
        // the brief's normalised form gives the same: cx = ax + r0/S in units of S
        Assert.Equal(((5.5f / 16f) + (4f / 256f)) * 256f, (map.X1[local] + map.X2[local]) / 2f, 4);
    }

    [Fact]
    public void Decodes_a_level_2_anchor_by_hand()
    {
        var d = new BlazeFaceDecoder(128);
        var outputs = Outputs(d);
        // level 2, row 7, col 0, anchor 5: local (7·8 + 0)·6 + 5 = 341, flat 512 + 341
        const int local = 341;
        outputs[1][local] = -1f;
        outputs[3][(local * 16) + 2] = 10f;
        outputs[3][(local * 16) + 3] = 20f;
        var map = new CandidateMap();
        map.ResetForDecoder(d);
        d.Decode(outputs, map);
        const int flat = 512 + local;
        Assert.Equal(flat, map.Levels[1].FlatIndex(7, 0, 5));
        // stride 16 at S = 128: centre (8, 120)
        Assert.Equal((3f, 110f, 13f, 130f), (map.X1[flat], map.Y1[flat], map.X2[flat], map.Y2[flat]));
        Assert.Equal(1f / (1f + MathF.Exp(1f)), map.Scores[flat], 6);
    }

    [Theory]
    [InlineData(0f, 0.5f)]
    [InlineData(1000f, 1f)]
    [InlineData(float.PositiveInfinity, 1f)]
    public void Sigmoid_clamps_the_logit(float logit, float expected) =>
        Assert.Equal(expected, DetectionDecoderExtensions.Sigmoid(logit));

    [Fact]
    public void Sigmoid_of_a_huge_negative_logit_is_tiny_not_NaN()
    {
        var s = DetectionDecoderExtensions.Sigmoid(-1e30f);
        Assert.True(s >= 0f && s < 1e-40f);
        Assert.True(float.IsNaN(DetectionDecoderExtensions.Sigmoid(float.NaN)));
    }
}

public class SsdPriorBoxDecoderTests
{
    // 32×32 input; level 0: step 8 → 4×4 cells × 2 priors (8, 16 px); level 1: step 16 → 2×2 × 1 prior (32 px)
    private static SsdPriorBoxDecoder Decoder(ScoreActivation activation = ScoreActivation.Softmax, bool landmarks = false) => new(
        new ModelInputSpec("input", 32, 32, TensorLayout.Nchw, ChannelOrder.Bgr, [104f, 117f, 123f], [1f, 1f, 1f], 0f),
        new SsdDecoderOptions
        {
            LocOutput = "loc",
            ConfOutput = "conf",
            LandmarkOutput = landmarks ? "landms" : null,
            LandmarkCount = landmarks ? 5 : 0,
            Steps = [8, 16],
            MinSizes = [[8f, 16f], [32f]],
            Activation = activation,
        });

    [Fact]
    public void Prior_layout_is_level_major_then_y_x_anchor()
    {
        var d = Decoder();
        Assert.Equal([new DecoderLevel(4, 4, 2, 8), new DecoderLevel(2, 2, 1, 16)], d.Levels);
        Assert.Equal([1, 36, 4], d.Outputs[0].Shape);
        Assert.Equal([1, 36, 2], d.Outputs[1].Shape);
    }

    [Fact]
    public void Decodes_center_variance_encoding_by_hand()
    {
        var d = Decoder(landmarks: true);
        var loc = new float[36 * 4];
        var conf = new float[36 * 2];
        var landms = new float[36 * 10];
        // prior 13: level 0, cell (y 1, x 2), second prior (16 px): centre (20, 12)
        const int p = 13;
        loc[(p * 4) + 0] = 1f;   // cx += 1·0.1·16 = 1.6
        loc[(p * 4) + 1] = -2f;  // cy −= 3.2
        loc[(p * 4) + 2] = 0f;   // w = 16
        loc[(p * 4) + 3] = 5f;   // h = 16·e^(5·0.2) = 16e
        conf[(p * 2) + 0] = 0f;
        conf[(p * 2) + 1] = 2f;
        landms[(p * 10) + 0] = 10f; // x = 20 + 10·0.1·16 = 36
        landms[(p * 10) + 9] = -1f; // y = 12 − 1.6
        var map = new CandidateMap();
        map.ResetForDecoder(d);
        d.Decode([loc, conf, landms], map);
        Assert.Equal(p, map.Levels[0].FlatIndex(1, 2, 1));
        Assert.Equal(21.6f - 8f, map.X1[p], 4);
        Assert.Equal(21.6f + 8f, map.X2[p], 4);
        var h = 16f * MathF.E;
        Assert.Equal(8.8f - (h / 2), map.Y1[p], 4);
        Assert.Equal(8.8f + (h / 2), map.Y2[p], 4);
        Assert.Equal((float)(Math.Exp(2) / (1 + Math.Exp(2))), map.Scores[p], 6);
        Assert.Equal(36f, map.Keypoints[p * 10], 4);
        Assert.Equal(10.4f, map.Keypoints[(p * 10) + 9], 4);
        // level 1 prior 32 + 3 = cell (1, 1): zero regression gives the 32 px prior around (24, 24)
        Assert.Equal((8f, 8f, 40f, 40f), (map.X1[35], map.Y1[35], map.X2[35], map.Y2[35]));
        Assert.Equal(0.5f, map.Scores[35], 6);
    }

    [Fact]
    public void Activation_none_passes_probabilities_through()
    {
        var d = Decoder(ScoreActivation.None);
        var conf = new float[36 * 2];
        conf[(7 * 2) + 1] = 0.375f;
        var map = new CandidateMap();
        map.ResetForDecoder(d);
        d.Decode([new float[36 * 4], conf], map);
        Assert.Equal(0.375f, map.Scores[7]);
    }

    [Fact]
    public void Json_config_builds_the_same_decoder()
    {
        var dir = Directory.CreateTempSubdirectory("eh-cfg-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "m.onnx"), [0]);
            var json = Path.Combine(dir, "detector.json");
            File.WriteAllText(json, """
                { "model": "m.onnx", "decoder": "ssd",
                  // comments are allowed
                  "input": { "name": "input", "width": 32, "height": 32, "layout": "nchw", "channels": "bgr", "mean": [104, 117, 123] },
                  "ssd": { "loc": "loc", "conf": "conf", "steps": [8, 16], "minSizes": [[8, 16], [32]], "variances": [0.1, 0.2], "activation": "softmax" } }
                """);
            var model = DetectorModel.Resolve(json);
            Assert.Equal(Path.Combine(dir, "m.onnx"), model.ModelPath);
            Assert.Equal(Decoder().Describe(), model.Decoder.Describe());
            Assert.Equal(ChannelOrder.Bgr, model.Decoder.Input.Order);

            File.WriteAllText(json, """{ "model": "m.onnx", "decoder": "yolo" }""");
            var ex = Assert.Throws<DataFormatException>(() => DetectorModel.Resolve(json));
            Assert.Contains("yolo", ex.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Mismatched_steps_and_min_sizes_are_rejected() =>
        Assert.Throws<ArgumentException>(() => new SsdPriorBoxDecoder(
            new ModelInputSpec("i", 32, 32, TensorLayout.Nchw, ChannelOrder.Rgb, [0, 0, 0], [1, 1, 1], 0),
            new SsdDecoderOptions { LocOutput = "l", ConfOutput = "c", Steps = [8, 16], MinSizes = [[8f]] }));
}
