using System.Text.Json.Nodes;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.IO;
using EvalHarness.Tests.Cli;

namespace EvalHarness.Tests.Detectors.FaceApi;

[Collection(nameof(ConsoleCollection))]
public class FaceApiImporterTests
{
    [Theory]
    [InlineData(FaceApiModelKind.Ssd)]
    [InlineData(FaceApiModelKind.Tiny)]
    public void Import_is_deterministic_and_matches_the_pinned_checksum(FaceApiModelKind kind)
    {
        var dir = FaceApiRawTensorTests.ModelsDir;
        var first = FaceApiImporter.Build(kind, dir);
        var second = FaceApiImporter.Build(kind, dir);
        Assert.Equal(first, second);
        Assert.Equal(FaceApiImporter.PinnedSha256(kind), FaceApiImporter.Sha256Of(first));
    }

    [Fact]
    public void Tf_same_padding_puts_the_odd_pixel_after()
    {
        Assert.Equal((0, 1, 256), FaceApiGraphs.TfSame(512, 3, 2));
        Assert.Equal((1, 1, 32), FaceApiGraphs.TfSame(32, 3, 1));
        Assert.Equal((0, 1, 1), FaceApiGraphs.TfSame(2, 3, 2));
        Assert.Equal((0, 0, 16), FaceApiGraphs.TfSame(16, 1, 1));
        Assert.Equal((0, 1, 104), FaceApiGraphs.TfSame(207, 2, 2));
        Assert.Equal((0, 0, 207), FaceApiGraphs.TfSame(414, 2, 2));
        Assert.Equal((0, 1, 13), FaceApiGraphs.TfSame(13, 2, 1));
    }

    [Fact]
    public void Hwio_filters_become_oihw()
    {
        // [kh=1, kw=2, cin=2, cout=3]: value = 1000·y + 100·x + 10·i + o
        var hwio = new float[12];
        for (var x = 0; x < 2; x++) for (var i = 0; i < 2; i++) for (var o = 0; o < 3; o++) hwio[(((x * 2) + i) * 3) + o] = (100 * x) + (10 * i) + o;
        var oihw = FaceApiGraphs.HwioToOihw(hwio, 1, 2, 2, 3);
        for (var o = 0; o < 3; o++) for (var i = 0; i < 2; i++) for (var x = 0; x < 2; x++) Assert.Equal((100 * x) + (10 * i) + o, oihw[(((o * 2) + i) * 2) + x]);
    }

    [Fact]
    public void Dequantisation_is_float64_then_one_rounding()
    {
        using var dir = new TempDir();
        // scale and min chosen so that float32 arithmetic rounds differently from float64 + one rounding
        const double scale = 0.0026856216729856004, min = -0.34107395246917127;
        WriteModel(dir.Path, [Entry("t", [256], scale, min)], Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        var t = TfjsWeightsFor(dir.Path).Get("t", 256);
        for (var q = 0; q < 256; q++) Assert.Equal((float)((q * scale) + min), t.Values[q]);
    }

    [Fact]
    public void Manifest_byte_total_different_from_the_bin_is_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        WriteModel(dir.Path, [Entry("conv0/filters", [3, 3, 3, 16], 0.01, -1)], new byte[431]);
        var ex = Assert.Throws<DataFormatException>(() => FaceApiImporter.Import(FaceApiModelKind.Tiny, dir.Path));
        Assert.Contains("tiny_face_detector_model.bin", ex.Message);
        Assert.Contains("432 bytes", ex.Message);
        Assert.Contains("431", ex.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, FaceApiImporter.OnnxFileName(FaceApiModelKind.Tiny))));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Missing_tensor_is_an_error_naming_the_manifest_and_tensor_and_leaves_no_onnx()
    {
        using var dir = new TempDir();
        WriteModel(dir.Path, [Entry("conv0/filters", [3, 3, 3, 16], 0.01, -1), Entry("conv0/bias", [16], 0.01, -1)], new byte[432 + 16]);
        var ex = Assert.Throws<DataFormatException>(() => FaceApiImporter.Import(FaceApiModelKind.Tiny, dir.Path));
        Assert.Contains("tiny_face_detector_model-weights_manifest.json", ex.Message);
        Assert.Contains("'conv1/depthwise_filter' is missing", ex.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, FaceApiImporter.OnnxFileName(FaceApiModelKind.Tiny))));
    }

    [Fact]
    public void Wrong_shape_is_an_error_naming_the_tensor_and_both_shapes()
    {
        using var dir = new TempDir();
        WriteModel(dir.Path, [Entry("conv0/filters", [3, 3, 3, 8], 0.01, -1)], new byte[216]);
        var ex = Assert.Throws<DataFormatException>(() => FaceApiImporter.Import(FaceApiModelKind.Tiny, dir.Path));
        Assert.Contains("'conv0/filters' has shape [3,3,3,8], expected [3,3,3,16]", ex.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, FaceApiImporter.OnnxFileName(FaceApiModelKind.Tiny))));
    }

    [Fact]
    public void Import_verb_reports_a_bad_manifest_with_exit_code_2()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, FaceApiImporter.ManifestFileName(FaceApiModelKind.Ssd)), "{ not json");
        var (code, _, stderr) = CliHarness.InvokeCaptured("model", "import", "faceapi-ssd", "--models-dir", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("ssd_mobilenetv1_model-weights_manifest.json", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static TfjsWeights TfjsWeightsFor(string dir) => TfjsWeights.Load(Path.Combine(dir, FaceApiImporter.ManifestFileName(FaceApiModelKind.Tiny)));

    private static JsonObject Entry(string name, int[] shape, double scale, double min) => new()
    {
        ["name"] = name,
        ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
        ["dtype"] = "float32",
        ["quantization"] = new JsonObject { ["dtype"] = "uint8", ["scale"] = scale, ["min"] = min },
    };

    private static void WriteModel(string dir, JsonObject[] entries, byte[] bin)
    {
        var manifest = new JsonArray(new JsonObject
        {
            ["paths"] = new JsonArray("tiny_face_detector_model.bin"),
            ["weights"] = new JsonArray(entries.Select(e => (JsonNode)e).ToArray()),
        });
        File.WriteAllText(Path.Combine(dir, FaceApiImporter.ManifestFileName(FaceApiModelKind.Tiny)), manifest.ToJsonString());
        File.WriteAllBytes(Path.Combine(dir, "tiny_face_detector_model.bin"), bin);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("faceapi-import-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
