using System.CommandLine;
using System.Globalization;
using EvalHarness.Cli.Interaction;
using EvalHarness.Datasets;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.Detectors.Input;
using EvalHarness.IO;

namespace EvalHarness.Cli;

/// <summary>
/// <c>model import faceapi-ssd|faceapi-tiny|faceapi</c>: build ONNX models from face-api's tfjs weights;
/// <c>model pixels</c>: dump the decoded RGB of WIDER images for reference implementations.
/// </summary>
internal sealed class ModelVerb(CliOutput output) : Verb(output)
{
    private readonly Argument<string> _which = VerbOptions.Argument<string>("model", "Model: faceapi-ssd, faceapi-tiny, or faceapi (both)");
    private readonly Option<string?> _modelsDir = VerbOptions.ModelsDir("Folder with the tfjs manifests and .bin files; the ONNX goes there too");
    private readonly Option<string?> _importOut = VerbOptions.Optional<string?>("--out", "Write the ONNX here instead of the models folder");

    private readonly Option<string?> _root = VerbOptions.Root();
    private readonly Option<string> _split = VerbOptions.Split();
    private readonly Option<int?> _limit = VerbOptions.Limit();
    private readonly Option<string> _pixelsOut = VerbOptions.Required<string>("--out", "Folder for <event>/<name>.ppm and list.txt");

    public override Command Create() => Group("model", "Import detector models; dump decoded pixels for reference implementations",
        Command("import", "Build an ONNX model from face-api 1.7.15's tfjs weights (scripts/get-models.sh runs this)", [_which, _modelsDir, _importOut], Import),
        Command("pixels", "Write the RGB the harness decodes from each image as binary PPM, so another implementation (scripts/faceapi-reference) can run on identical pixels",
            [_root, _split, _limit, _pixelsOut], Pixels));

    private int Import(ParseResult parse, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(_which)!.Trim().ToLowerInvariant();
        FaceApiModelKind[] kinds = name == "faceapi"
            ? [FaceApiModelKind.Ssd, FaceApiModelKind.Tiny]
            : [FaceApiImporter.TryParse(name) ?? throw new UsageException($"model import: unknown model '{name}' (expected faceapi-ssd, faceapi-tiny or faceapi)")];
        var dir = DataPaths.ResolveModelsDir(parse.GetValue(_modelsDir));
        foreach (var kind in kinds)
        {
            var result = FaceApiImporter.Import(kind, dir, parse.GetValue(_importOut));
            Output.Line(string.Create(CultureInfo.InvariantCulture,
                $"{FaceApiImporter.Name(kind)}: {result.OnnxPath} ({result.Bytes} bytes, opset {FaceApiImporter.Opset}) sha256 {result.Sha256} {(result.MatchesPinnedChecksum ? "(matches the pinned checksum)" : $"(pinned {FaceApiImporter.PinnedSha256(kind)}: DIFFERENT)")}"));
            if (!result.MatchesPinnedChecksum) Output.Warning($"{result.OnnxPath} differs from the pinned import; were the weights changed?");
        }
        return ExitCodes.Success;
    }

    private int Pixels(ParseResult parse, CancellationToken cancellationToken)
    {
        var dataset = RequireWiderFaceRoot(parse.GetValue(_root));
        var (images, _) = WiderImageList.Load(dataset, parse.GetValue(_split)!, null, parse.GetValue(_limit));
        var dir = parse.GetValue(_pixelsOut)!;
        var loader = new ImageLoader();
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
        Output.Line($"{keys.Count} images written to {Path.GetFullPath(dir)}");
        return ExitCodes.Success;
    }
}
