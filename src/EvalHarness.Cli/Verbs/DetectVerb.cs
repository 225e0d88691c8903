using System.CommandLine;
using System.Globalization;
using EvalHarness.Backends;
using EvalHarness.Cli.Interaction;
using EvalHarness.Datasets;
using EvalHarness.Detectors;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.Detectors.Input;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.IO;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Cli;

/// <summary><c>detect</c>: run the face detector over a dataset into the candidate cache (and optionally write predictions).</summary>
internal sealed class DetectVerb(CliOutput output) : Verb(output)
{
    private readonly Option<string> _dataset = VerbOptions.WithDefault("--dataset", "Dataset: widerface, or synthetic (the built-in detector, no files needed)", "widerface");
    private readonly Option<string?> _root = VerbOptions.Root();
    private readonly Option<string> _split = VerbOptions.Split();
    private readonly Option<string[]> _events = VerbOptions.Many("--events", "Only these event folders (e.g. 0--Parade)");
    private readonly Option<int?> _limit = VerbOptions.Limit();
    private readonly Option<string> _model = VerbOptions.WithDefault("--model", "Detector: back, front, faceapi-ssd, faceapi-tiny, a BlazeFace .onnx, or a .json detector config", "back");
    private readonly Option<string?> _modelsDir = VerbOptions.ModelsDir();
    private readonly Option<string> _mode = VerbOptions.WithDefault("--mode", "Input mode: letterbox, tiles or pyramid", "tiles");
    private readonly Option<int?> _tileStride = VerbOptions.Optional<int?>("--tile-stride", "Tile stride in network-input pixels (default: half the input, a multiple of the largest level stride)");
    private readonly Option<string?> _scales = VerbOptions.Optional<string?>("--scales", "Pyramid scales, comma-separated (default: 1,0.5,0.25)");
    private readonly Option<int> _threads = VerbOptions.WithDefault("--threads", "ONNX Runtime intra-op threads (0 = ONNX Runtime's choice)", 0);
    private readonly Option<string> _graphOptimization = VerbOptions.WithDefault("--graph-opt", "ONNX Runtime graph optimisation: disable, basic, extended or all", "all");
    private readonly Option<string> _provider = VerbOptions.WithDefault("--provider", "ONNX Runtime execution provider: cpu or cuda", "cpu");
    private readonly Option<long?> _maxPixels = VerbOptions.Optional<long?>("--max-pixels", "Refuse images larger than this many pixels (default: 64 Mpx)");
    private readonly Option<int> _seed = VerbOptions.WithDefault("--seed", "Synthetic dataset seed", 1);
    private readonly Option<int> _syntheticImages = VerbOptions.WithDefault("--images", "Synthetic dataset size", 200);
    private readonly Option<string> _out = VerbOptions.Required<string>("--out", "Candidate cache folder (reused and resumed on a rerun)");
    private readonly Option<string?> _writePredictions = VerbOptions.Optional<string?>("--write-predictions", "Also post-process with --variant on the scalar backend and write WIDER prediction files here");
    private readonly Option<string> _variant = VerbOptions.WithDefault("--variant", "Post-processing variant for --write-predictions, e.g. nms or gc+nms(score=0.02,iou=0.4); faceapi = face-api's own post-processing for a faceapi-* model (SSD: IoU 0.5, at most 750, clipped to the padded square in letterbox mode; Tiny: IoU 0.4)", "nms");

    public override Command Create() => Command("detect", "Run the face detector over a dataset into the candidate cache",
        [_dataset, _root, _split, _events, _limit, _model, _modelsDir, _mode, _tileStride, _scales, _threads, _graphOptimization, _provider, _maxPixels, _seed, _syntheticImages, _out, _writePredictions, _variant],
        Run);

    private int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        using var source = CreateSource(parse);
        var predictions = parse.GetValue(_writePredictions);
        using var backend = predictions is null ? null : new ScalarBackend();
        var (variant, finish) = predictions is null ? (null, null) : ResolveVariant(parse);
        var options = new DetectJobOptions
        {
            Source = source,
            CacheDirectory = parse.GetValue(_out)!,
            PredictionsDirectory = predictions,
            Variant = variant,
            Backend = backend,
            FinishDetections = finish,
        };
        Output.Line($"source: {source.Describe()}");
        var lastPercent = -1;
        var progress = new SyncProgress(p =>
        {
            var percent = p.Done * 100 / Math.Max(1, p.Total);
            if (percent / 10 == lastPercent / 10) return;
            lastPercent = percent;
            Output.Status($"  {p.Done}/{p.Total} images");
        });
        var summary = DetectJob.Run(options, progress, w => Output.Warning($"{w}"), cancellationToken);
        Output.Line(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Images} images: {summary.CacheHits} from the cache, {summary.Computed} computed, {summary.Warnings.Count} cache warnings; {summary.Candidates / Math.Max(1, summary.Images)} candidates per image; {summary.Elapsed.TotalSeconds:F1} s"));
        if (summary.Computed > 0)
        {
            Output.Line(string.Create(CultureInfo.InvariantCulture, $"latency per computed image (load + detect): median {summary.LatencyMedianMs:F1} ms, p90 {summary.LatencyP90Ms:F1} ms"));
        }
        Output.Line($"cache: {Path.GetFullPath(options.CacheDirectory)}");
        if (predictions is not null) Output.Line($"predictions ({options.Variant}): {summary.PredictionFiles} files in {Path.GetFullPath(predictions)}");
        return ExitCodes.Success;
    }

    /// <summary><c>--variant</c>; <c>faceapi</c> is face-api's own post-processing for the chosen face-api model.</summary>
    private (VariantSpec, Action<CandidateMap, DetectionList>?) ResolveVariant(ParseResult parse)
    {
        var text = parse.GetValue(_variant)!;
        if (!string.Equals(text.Trim(), "faceapi", StringComparison.OrdinalIgnoreCase)) return (VariantSpec.Parse(text), null);
        var kind = FaceApiImporter.TryParse(parse.GetValue(_model)!)
            ?? throw new UsageException("--variant faceapi needs --model faceapi-ssd or faceapi-tiny");
        var letterbox = FrontEndOptions.ParseMode(parse.GetValue(_mode)!) == InputMode.Letterbox;
        Action<CandidateMap, DetectionList>? clip = kind == FaceApiModelKind.Ssd && letterbox
            ? (map, detections) => FaceApiPostProcessing.ClipSsdToPaddedSquare(detections, map.ImageWidth, map.ImageHeight)
            : null;
        return (FaceApiPostProcessing.Variant(kind), clip);
    }

    private ICandidateSource CreateSource(ParseResult parse)
    {
        var dataset = parse.GetValue(_dataset)!.Trim().ToLowerInvariant();
        if (dataset == "synthetic") return new SyntheticCandidateSource(parse.GetValue(_seed), parse.GetValue(_syntheticImages));
        if (dataset != "widerface") throw new UsageException($"--dataset: unknown dataset '{dataset}' (expected widerface or synthetic)");
        var root = RequireWiderFaceRoot(parse.GetValue(_root));
        var events = parse.GetValue(_events);
        var (images, groundTruth) = WiderImageList.Load(root, parse.GetValue(_split)!, events, parse.GetValue(_limit));
        if (images.Count == 0) throw new UsageException($"no images found under {root} for split {parse.GetValue(_split)}");
        var model = DetectorModel.Resolve(parse.GetValue(_model)!, parse.GetValue(_modelsDir));
        var frontEnd = new FrontEndOptions
        {
            Mode = FrontEndOptions.ParseMode(parse.GetValue(_mode)!),
            TileStride = parse.GetValue(_tileStride),
            PyramidScales = ParseScales(parse.GetValue(_scales)) ?? new FrontEndOptions().PyramidScales,
            Image = parse.GetValue(_maxPixels) is { } max ? new ImageLoadOptions { MaxPixels = max } : new ImageLoadOptions(),
        };
        var session = new OnnxSessionOptions
        {
            IntraOpThreads = parse.GetValue(_threads),
            OptimizationLevel = parse.GetValue(_graphOptimization)!.Trim().ToLowerInvariant() switch
            {
                "disable" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                "all" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
                var other => throw new UsageException($"--graph-opt: unknown level '{other}' (expected disable, basic, extended or all)"),
            },
            Provider = parse.GetValue(_provider)!.Trim().ToLowerInvariant() switch
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
