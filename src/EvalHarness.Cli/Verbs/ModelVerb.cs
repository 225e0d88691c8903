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
        var root = new Option<string?>("--root") { Description = "WIDER FACE root (default: $WIDERFACE_ROOT)" };
        var split = new Option<string>("--split") { Description = "WIDER split", DefaultValueFactory = _ => "val" };
        var limit = new Option<int?>("--limit") { Description = "at most this many images" };
        var pixelsOut = new Option<string>("--out") { Description = "folder for <event>/<name>.ppm and list.txt", Required = true };
        var pixels = new Command("pixels", "write the RGB the harness decodes from each image as binary PPM, so another implementation (scripts/faceapi-reference) can run on identical pixels") { root, split, limit, pixelsOut };
        pixels.SetAction((parse, cancellationToken) =>
        {
            var dataset = DataPaths.ResolveWiderFaceRoot(parse.GetValue(root)) ?? throw new UsageException($"no dataset: pass --root or set {DataPaths.WiderFaceRootVariable}");
            var (images, _) = Datasets.WiderImageList.Load(dataset, parse.GetValue(split)!, null, parse.GetValue(limit));
            var dir = parse.GetValue(pixelsOut)!;
            var loader = new Detectors.Input.ImageLoader();
            var keys = new List<string>();
            foreach (var image in images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (image.Path is null) continue;
                using var decoded = loader.Load(image.Path);
                var rgb = new byte[decoded.Width * decoded.Height * 3];
                decoded.CopyPixelDataTo(rgb);
                var header = System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P6\n{decoded.Width} {decoded.Height}\n255\n"));
                AtomicFile.Write(Path.Combine(dir, image.Event, image.ImageKey + ".ppm"), stream =>
                {
                    stream.Write(header);
                    stream.Write(rgb);
                });
                keys.Add($"{image.Event}/{image.ImageKey}");
            }
            AtomicFile.WriteAllText(Path.Combine(dir, "list.txt"), string.Join('\n', keys) + "\n");
            Console.Out.WriteLine($"{keys.Count} images written to {Path.GetFullPath(dir)}");
            return Task.FromResult(ExitCodes.Success);
        });
        return new Command("model", "import detector models; dump decoded pixels for reference implementations") { import, pixels };
    }
}
