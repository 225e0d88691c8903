using EvalHarness.Detectors.FaceApi;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Tests.Detectors.FaceApi;

/// <summary>
/// The imported ONNX models against face-api's own raw tensors (tfjs cpu backend, written by
/// scripts/faceapi-reference/faceapi-reference.js --synthetic --raw and committed under
/// Fixtures/faceapi): a correct port agrees to ~1e-4, a padding / layout / colour mistake moves
/// them by 0.1–10 (spec faceapi-detectors.md §5).
/// </summary>
public class FaceApiRawTensorTests
{
    internal const double Tolerance = 3e-4;

    internal static string ModelsDir
    {
        get
        {
            var dir = TestData.ModelsDir;
            foreach (var kind in new[] { FaceApiModelKind.Ssd, FaceApiModelKind.Tiny })
            {
                if (File.Exists(Path.Combine(dir, FaceApiImporter.OnnxFileName(kind)))) continue;
                // like every data test: skipped on a developer machine whose models/ predates the face-api import, a failure under CI
                var message = $"{FaceApiImporter.OnnxFileName(kind)} missing in {dir}: run scripts/get-models.sh";
                if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(message);
                Assert.Skip(message);
            }
            return dir;
        }
    }

    internal static float[] ReadF32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>Runs the imported model on face-api's letterboxed input of <paramref name="image"/>; returns the raw outputs in the decoder's order.</summary>
    internal static float[][] RunRaw(FaceApiModelKind kind, Image<Rgb24> image)
    {
        var decoder = FaceApiImporter.CreateDecoder(kind);
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var input = new float[decoder.Input.ElementCount];
        FaceApiLetterbox.Fill(pixels, image.Width, image.Height, decoder, input);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Path.Combine(ModelsDir, FaceApiImporter.OnnxFileName(kind)), options);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, decoder.Input.Shape);
        var names = decoder.Outputs.Select(o => o.Name).ToArray();
        using var results = session.Run(new RunOptions(), [decoder.Input.Name], [tensor], names);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    internal static double MaxAbsDelta(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (var i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs((double)expected[i] - actual[i]));
        return max;
    }

    [Fact]
    public void Ssd_encodings_and_logits_match_face_api_on_the_synthetic_image()
    {
        using var image = SyntheticFaceImage.Create();
        var raw = RunRaw(FaceApiModelKind.Ssd, image);
        var enc = MaxAbsDelta(ReadF32(TestData.FixturePath("faceapi", "synthetic.ssd_enc.f32")), raw[0]);
        var logits = MaxAbsDelta(ReadF32(TestData.FixturePath("faceapi", "synthetic.ssd_logits.f32")), raw[1]);
        Assert.True(enc < Tolerance && logits < Tolerance, $"SSD differs from face-api: max |Δ| encodings {enc:E3}, logits {logits:E3}");
    }

    [Fact]
    public void Tiny_grid_matches_face_api_on_the_synthetic_image()
    {
        using var image = SyntheticFaceImage.Create();
        var raw = RunRaw(FaceApiModelKind.Tiny, image);
        var grid = MaxAbsDelta(ReadF32(TestData.FixturePath("faceapi", "synthetic.tiny_grid.f32")), raw[0]);
        Assert.True(grid < Tolerance, $"Tiny grid differs from face-api by {grid}");
    }
}
