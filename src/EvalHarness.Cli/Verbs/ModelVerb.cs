using System.CommandLine;
using System.Globalization;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.IO;

namespace EvalHarness.Cli;

/// <summary><c>model import faceapi-ssd|faceapi-tiny|faceapi</c>: build ONNX models from face-api's tfjs weights.</summary>
internal static class ModelVerb
{
    public static Command Create()
    {
        var which = new Argument<string>("model") { Description = "faceapi-ssd, faceapi-tiny, or faceapi (both)" };
        var modelsDir = new Option<string?>("--models-dir") { Description = "folder with the tfjs manifests and .bin files; the ONNX goes there too (default: $EVALHARNESS_MODELS or models/)" };
        var outDir = new Option<string?>("--out") { Description = "write the ONNX here instead of the models folder" };
        var import = new Command("import", "build an ONNX model from face-api 1.7.15's tfjs weights (scripts/get-models.sh runs this)") { which, modelsDir, outDir };
        import.SetAction(parse =>
        {
            var name = parse.GetValue(which)!.Trim().ToLowerInvariant();
            FaceApiModelKind[] kinds = name == "faceapi"
                ? [FaceApiModelKind.Ssd, FaceApiModelKind.Tiny]
                : [FaceApiImporter.TryParse(name) ?? throw new UsageException($"model import: unknown model '{name}' (expected faceapi-ssd, faceapi-tiny or faceapi)")];
            var dir = DataPaths.ResolveModelsDir(parse.GetValue(modelsDir));
            foreach (var kind in kinds)
            {
                var result = FaceApiImporter.Import(kind, dir, parse.GetValue(outDir));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{FaceApiImporter.Name(kind)}: {result.OnnxPath} ({result.Bytes} bytes, opset {FaceApiImporter.Opset}) sha256 {result.Sha256} {(result.MatchesPinnedChecksum ? "(matches the pinned checksum)" : $"(pinned {FaceApiImporter.PinnedSha256(kind)}: DIFFERENT)")}"));
                if (!result.MatchesPinnedChecksum) Console.Error.WriteLine($"warning: {result.OnnxPath} differs from the pinned import; were the weights changed?");
            }
            return ExitCodes.Success;
        });
        return new Command("model", "import detector models") { import };
    }
}
