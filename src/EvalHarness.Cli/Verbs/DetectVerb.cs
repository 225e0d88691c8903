using System.CommandLine;
using System.Globalization;
using EvalHarness.Backends;
using EvalHarness.Detectors;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.Detectors.Input;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Cli;

/// <summary><c>detect</c>: run the face detector over a dataset into the candidate cache (and optionally write predictions).</summary>
internal static class DetectVerb
{
    private static readonly Option<string> Dataset = new("--dataset") { Description = "widerface, or synthetic (the built-in detector, no files needed)", DefaultValueFactory = _ => "widerface" };
    private static readonly Option<string?> Root = new("--root") { Description = "WIDER FACE root (default: $WIDERFACE_ROOT)" };
    private static readonly Option<string> Split = new("--split") { Description = "WIDER split", DefaultValueFactory = _ => "val" };
    private static readonly Option<string[]> Events = new("--events") { Description = "only these event folders (e.g. 0--Parade)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<int?> Limit = new("--limit") { Description = "at most this many images" };
    private static readonly Option<string> Model = new("--model") { Description = "back, front, faceapi-ssd, faceapi-tiny, a BlazeFace .onnx, or a .json detector config", DefaultValueFactory = _ => "back" };
    private static readonly Option<string?> ModelsDir = new("--models-dir") { Description = "folder with the BlazeFace models (default: $EVALHARNESS_MODELS or models/; fill it with scripts/get-models.sh)" };
    private static readonly Option<string> Mode = new("--mode") { Description = "letterbox, tiles or pyramid", DefaultValueFactory = _ => "tiles" };
    private static readonly Option<int?> TileStride = new("--tile-stride") { Description = "tile stride in network-input pixels (default: half the input, a multiple of the largest level stride)" };
    private static readonly Option<string?> Scales = new("--scales") { Description = "pyramid scales, comma-separated (default 1,0.5,0.25)" };
    private static readonly Option<int> Threads = new("--threads") { Description = "ONNX Runtime intra-op threads (0 = ONNX Runtime's choice)", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> GraphOptimization = new("--graph-opt") { Description = "ONNX Runtime graph optimisation: disable, basic, extended or all", DefaultValueFactory = _ => "all" };
    private static readonly Option<string> Provider = new("--provider") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    private static readonly Option<long?> MaxPixels = new("--max-pixels") { Description = "refuse images larger than this many pixels (default 64 Mpx)" };
    private static readonly Option<int> Seed = new("--seed") { Description = "synthetic dataset seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<int> SyntheticImages = new("--images") { Description = "synthetic dataset size", DefaultValueFactory = _ => 200 };
    private static readonly Option<string> Out = new("--out") { Description = "candidate cache folder (reused and resumed on a rerun)", Required = true };
    private static readonly Option<string?> WritePredictions = new("--write-predictions") { Description = "also post-process with --variant on the scalar backend and write WIDER prediction files here" };
    private static readonly Option<string> Variant = new("--variant") { Description = "post-processing variant for --write-predictions, e.g. nms or gc+nms(score=0.02,iou=0.4); faceapi = face-api's own post-processing for a faceapi-* model (SSD: IoU 0.5, at most 750, clipped to the padded square in letterbox mode; Tiny: IoU 0.4)", DefaultValueFactory = _ => "nms" };

    public static Command Create()
    {
        var command = new Command("detect", "run the face detector over a dataset into the candidate cache")
        {
            Dataset, Root, Split, Events, Limit, Model, ModelsDir, Mode, TileStride, Scales, Threads, GraphOptimization, Provider, MaxPixels, Seed, SyntheticImages, Out, WritePredictions, Variant,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, cancellationToken)));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        using var source = CreateSource(parse);
        var predictions = parse.GetValue(WritePredictions);
        using var backend = predictions is null ? null : new ScalarBackend();
        var (variant, finish) = predictions is null ? (null, null) : ResolveVariant(parse);
        var options = new DetectJobOptions
        {
            Source = source,
            CacheDirectory = parse.GetValue(Out)!,
            PredictionsDirectory = predictions,
            Variant = variant,
            Backend = backend,
            FinishDetections = finish,
        };
        Console.WriteLine($"source: {source.Describe()}");
        var lastPercent = -1;
        var progress = new SyncProgress(p =>
        {
            var percent = p.Done * 100 / Math.Max(1, p.Total);
            if (percent / 10 == lastPercent / 10) return;
            lastPercent = percent;
            Console.Error.WriteLine($"  {p.Done}/{p.Total} images");
        });
        var summary = DetectJob.Run(options, progress, w => Console.Error.WriteLine($"warning: {w}"), cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Images} images: {summary.CacheHits} from the cache, {summary.Computed} computed, {summary.Warnings.Count} cache warnings; {summary.Candidates / Math.Max(1, summary.Images)} candidates per image; {summary.Elapsed.TotalSeconds:F1} s"));
        if (summary.Computed > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency per computed image (load + detect): median {summary.LatencyMedianMs:F1} ms, p90 {summary.LatencyP90Ms:F1} ms"));
        }
        Console.WriteLine($"cache: {Path.GetFullPath(options.CacheDirectory)}");
        if (predictions is not null) Console.WriteLine($"predictions ({options.Variant}): {summary.PredictionFiles} files in {Path.GetFullPath(predictions)}");
        return ExitCodes.Success;
    }

    /// <summary><c>--variant</c>; <c>faceapi</c> is face-api's own post-processing for the chosen face-api model.</summary>
    private static (VariantSpec, Action<CandidateMap, DetectionList>?) ResolveVariant(ParseResult parse)
    {
        var text = parse.GetValue(Variant)!;
        if (!string.Equals(text.Trim(), "faceapi", StringComparison.OrdinalIgnoreCase)) return (VariantSpec.Parse(text), null);
        var kind = FaceApiImporter.TryParse(parse.GetValue(Model)!)
            ?? throw new UsageException("--variant faceapi needs --model faceapi-ssd or faceapi-tiny");
        var letterbox = FrontEndOptions.ParseMode(parse.GetValue(Mode)!) == InputMode.Letterbox;
        Action<CandidateMap, DetectionList>? clip = kind == FaceApiModelKind.Ssd && letterbox
            ? (map, detections) => FaceApiPostProcessing.ClipSsdToPaddedSquare(detections, map.ImageWidth, map.ImageHeight)
            : null;
        return (FaceApiPostProcessing.Variant(kind), clip);
    }

    private static ICandidateSource CreateSource(ParseResult parse)
    {
        var dataset = parse.GetValue(Dataset)!.Trim().ToLowerInvariant();
        if (dataset == "synthetic") return new SyntheticCandidateSource(parse.GetValue(Seed), parse.GetValue(SyntheticImages));
        if (dataset != "widerface") throw new UsageException($"--dataset: unknown dataset '{dataset}' (expected widerface or synthetic)");
        var root = DataPaths.ResolveWiderFaceRoot(parse.GetValue(Root))
            ?? throw new UsageException($"no dataset: pass --root or set {DataPaths.WiderFaceRootVariable}");
        var events = parse.GetValue(Events);
        var (images, groundTruth) = WiderImageList.Load(root, parse.GetValue(Split)!, events, parse.GetValue(Limit));
        if (images.Count == 0) throw new UsageException($"no images found under {root} for split {parse.GetValue(Split)}");
        var model = DetectorModel.Resolve(parse.GetValue(Model)!, parse.GetValue(ModelsDir));
        var frontEnd = new FrontEndOptions
        {
            Mode = FrontEndOptions.ParseMode(parse.GetValue(Mode)!),
            TileStride = parse.GetValue(TileStride),
            PyramidScales = ParseScales(parse.GetValue(Scales)) ?? new FrontEndOptions().PyramidScales,
            Image = parse.GetValue(MaxPixels) is { } max ? new ImageLoadOptions { MaxPixels = max } : new ImageLoadOptions(),
        };
        var session = new OnnxSessionOptions
        {
            IntraOpThreads = parse.GetValue(Threads),
            OptimizationLevel = parse.GetValue(GraphOptimization)!.Trim().ToLowerInvariant() switch
            {
                "disable" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                "all" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
                var other => throw new UsageException($"--graph-opt: unknown level '{other}' (expected disable, basic, extended or all)"),
            },
            Provider = parse.GetValue(Provider)!.Trim().ToLowerInvariant() switch
            {
                "cpu" => ExecutionProvider.Cpu,
                "cuda" => ExecutionProvider.Cuda,
                var other => throw new UsageException($"--provider: unknown provider '{other}' (expected cpu or cuda)"),
            },
        };
        var source = new OnnxCandidateSource(images, groundTruth, model, frontEnd, session);
        var opened = false;
        try
        {
            // fail on a bad model or an unavailable provider before the cache is touched
            source.Open();
            opened = true;
            return source;
        }
        finally
        {
            if (!opened) source.Dispose();
        }
    }

    private static double[]? ParseScales(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new UsageException($"--scales: '{s}' is not a positive number")).ToArray();
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and print out of order).</summary>
    private sealed class SyncProgress(Action<DetectProgress> report) : IProgress<DetectProgress>
    {
        public void Report(DetectProgress value) => report(value);
    }
}
