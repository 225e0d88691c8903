using System.Text.Json;
using EvalHarness.Backends;
using EvalHarness.Detectors;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.Detectors.Input;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Detectors.FaceApi;

/// <summary>
/// The whole face-api path of the harness (letterbox front end, ONNX, C# decoder, face-api's
/// post-processing as a variant configuration, the SSD clip) against face-api's own final
/// detections on the synthetic image (Node, tfjs cpu backend; Fixtures/faceapi/*_detections.json),
/// and the raw tensors on shared WIDER images when the data is present.
/// </summary>
public class FaceApiEndToEndTests
{
    private static readonly OnnxSessionOptions OneThread = new() { IntraOpThreads = 1 };

    private static DetectionList DetectSynthetic(FaceApiModelKind kind)
    {
        using var detector = new OnnxDetector(DetectorModel.FaceApiModel(kind, FaceApiRawTensorTests.ModelsDir), OneThread);
        var frontEnd = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Letterbox });
        using var image = SyntheticFaceImage.Create();
        var map = new CandidateMap();
        frontEnd.Detect(image, "synthetic", map, TestContext.Current.CancellationToken);
        var detections = new DetectionList();
        using var scalar = new ScalarBackend();
        scalar.Run(map, FaceApiPostProcessing.Variant(kind), detections);
        if (kind == FaceApiModelKind.Ssd) FaceApiPostProcessing.ClipSsdToPaddedSquare(detections, map.ImageWidth, map.ImageHeight);
        return detections;
    }

    private static List<(double X, double Y, double W, double H, double Score)> Reference(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.FixturePath("faceapi", file)));
        return doc.RootElement.GetProperty("detections").GetProperty("synthetic/synthetic").EnumerateArray()
            .Select(d => (d.GetProperty("x").GetDouble(), d.GetProperty("y").GetDouble(), d.GetProperty("w").GetDouble(), d.GetProperty("h").GetDouble(), d.GetProperty("score").GetDouble()))
            .ToList();
    }

    [Theory]
    [InlineData(FaceApiModelKind.Ssd, "synthetic.ssd_detections.json")]
    [InlineData(FaceApiModelKind.Tiny, "synthetic.tiny_detections.json")]
    public void Detections_match_face_api_on_the_synthetic_image(FaceApiModelKind kind, string fixture)
    {
        var expected = Reference(fixture);
        var actual = DetectSynthetic(kind);
        Assert.True(expected.Count >= 3, $"the fixture has only {expected.Count} detections");
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            // scores: raw-tensor deltas of ~5e-5 through a sigmoid; boxes: pixels of a 700-px image
            Assert.True(Math.Abs(e.Score - actual.Score[i]) < 1e-4, $"detection {i}: score {actual.Score[i]} vs face-api {e.Score}");
            Assert.True(Math.Abs(e.X - actual.X1[i]) < 0.05, $"detection {i}: x {actual.X1[i]} vs {e.X}");
            Assert.True(Math.Abs(e.Y - actual.Y1[i]) < 0.05, $"detection {i}: y {actual.Y1[i]} vs {e.Y}");
            Assert.True(Math.Abs(e.X + e.W - actual.X2[i]) < 0.05, $"detection {i}: x2 {actual.X2[i]} vs {e.X + e.W}");
            Assert.True(Math.Abs(e.Y + e.H - actual.Y2[i]) < 0.05, $"detection {i}: y2 {actual.Y2[i]} vs {e.Y + e.H}");
        }
    }

    [Fact]
    public void Tiles_mode_covers_every_candidate_for_both_detectors()
    {
        foreach (var kind in new[] { FaceApiModelKind.Ssd, FaceApiModelKind.Tiny })
        {
            using var detector = new OnnxDetector(DetectorModel.FaceApiModel(kind, FaceApiRawTensorTests.ModelsDir), OneThread);
            var frontEnd = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Tiles });
            using var image = SyntheticFaceImage.Create();
            var map = new CandidateMap();
            // DetectorFrontEnd throws when a candidate is covered by no tile
            frontEnd.Detect(image, "synthetic", map, TestContext.Current.CancellationToken);
            Assert.Equal(detector.Decoder.Levels.Count, map.Levels.Length);
            var stride = detector.Decoder.Levels[0].Stride;
            Assert.Equal(((SyntheticFaceImage.Height + stride - 1) / stride, (SyntheticFaceImage.Width + stride - 1) / stride), (map.Levels[0].Height, map.Levels[0].Width));
            Assert.All(map.Scores.AsSpan(0, map.Count).ToArray(), s => Assert.InRange(s, 0f, 1f));
        }
    }

    /// <summary>Shared WIDER val images: face-api's raw tensors (Node, tfjs cpu, fed the harness's decoded pixels) committed as Fixtures/faceapi/wider/*.f32; no pixels are committed.</summary>
    [Fact]
    public void Raw_tensors_match_face_api_on_shared_wider_images()
    {
        var root = TestData.WiderFaceRoot;
        var dir = TestData.FixturePath("faceapi", "wider");
        var keys = File.ReadAllLines(Path.Combine(dir, "list.txt")).Where(l => l.Length > 0).ToArray();
        Assert.NotEmpty(keys);
        var loader = new ImageLoader();
        var worst = (enc: 0.0, logits: 0.0, grid: 0.0);
        foreach (var key in keys)
        {
            using var image = loader.Load(Path.Combine(root, "WIDER_val", "images", key + ".jpg"));
            var name = key.Replace('/', '_');
            var ssd = FaceApiRawTensorTests.RunRaw(FaceApiModelKind.Ssd, image);
            var tiny = FaceApiRawTensorTests.RunRaw(FaceApiModelKind.Tiny, image);
            worst.enc = Math.Max(worst.enc, FaceApiRawTensorTests.MaxAbsDelta(FaceApiRawTensorTests.ReadF32(Path.Combine(dir, name + ".ssd_enc.f32")), ssd[0]));
            worst.logits = Math.Max(worst.logits, FaceApiRawTensorTests.MaxAbsDelta(FaceApiRawTensorTests.ReadF32(Path.Combine(dir, name + ".ssd_logits.f32")), ssd[1]));
            worst.grid = Math.Max(worst.grid, FaceApiRawTensorTests.MaxAbsDelta(FaceApiRawTensorTests.ReadF32(Path.Combine(dir, name + ".tiny_grid.f32")), tiny[0]));
        }
        Assert.True(worst.enc < FaceApiRawTensorTests.Tolerance && worst.logits < FaceApiRawTensorTests.Tolerance && worst.grid < FaceApiRawTensorTests.Tolerance,
            $"max |Δ| over {keys.Length} WIDER images: SSD encodings {worst.enc:E3}, logits {worst.logits:E3}, Tiny grid {worst.grid:E3}");
    }
}
