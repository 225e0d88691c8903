using System.Diagnostics;
using EvalHarness.Datasets;

namespace EvalHarness.Metrics;

/// <summary>
/// WIDER FACE AP (easy, medium, hard) under the <c>python</c> or <c>matlab</c> protocol, in
/// pycocotools' three phases: per-image evaluation (<see cref="ImageEvaluator"/>),
/// accumulation over images (<see cref="ImageEvalRecords"/>), and the curve and AP
/// (<see cref="PrecisionRecall"/>). Under <c>python</c> the AP equals the public Python port's
/// float64 value bit for bit.
/// <para>
/// A ground truth marked <see cref="GroundTruth.IsSubset"/> is evaluated as listed: counted faces
/// and sums run over its images only, and the result is marked as a subset.
/// </para>
/// </summary>
public static class WiderFaceEvaluator
{
    /// <summary>Evaluates in-memory predictions (build them with <see cref="PredictionFormat.ToPredBox"/> so they equal a written folder).</summary>
    public static EvaluationResult Evaluate(GroundTruth gt, PredictionSet predictions, EvalOptions options) =>
        Run(gt, predictions, options, predictionDir: null, readTime: TimeSpan.Zero, warnings: []);

    /// <summary>Reads a prediction folder under the protocol's rules, then evaluates it.</summary>
    public static EvaluationResult EvaluateFolder(GroundTruth gt, string predictionDir, EvalOptions options) =>
        Evaluate(gt, ReadFolder(gt, predictionDir, options), options);

    /// <summary>Reads a prediction folder under the protocol's rules (once, when it is evaluated more than one way).</summary>
    public static PredictionFolder ReadFolder(GroundTruth gt, string predictionDir, EvalOptions options)
    {
        var warnings = new List<string>();
        var clock = Stopwatch.StartNew();
        var predictions = IEvaluationProtocol.For(options.Protocol).ReadFolder(gt, predictionDir, options, warnings);
        return new PredictionFolder(predictionDir, predictions, warnings, clock.Elapsed);
    }

    /// <summary>Evaluates a folder read by <see cref="ReadFolder"/>.</summary>
    public static EvaluationResult Evaluate(GroundTruth gt, PredictionFolder folder, EvalOptions options) =>
        Run(gt, folder.Predictions, options, folder.Path, folder.ReadTime, [.. folder.Warnings]);

    /// <summary>Evaluates predictions against a ground truth whose setting bits were rewritten (the breakdown); its warnings are dropped.</summary>
    internal static EvaluationResult EvaluateWith(GroundTruth gt, PredictionSet predictions, EvalOptions options, string? predictionDir) =>
        Run(gt, predictions, options, predictionDir, TimeSpan.Zero, []);

    private static EvaluationResult Run(GroundTruth gt, PredictionSet predictions, EvalOptions options, string? predictionDir, TimeSpan readTime, List<string> warnings)
    {
        var protocol = IEvaluationProtocol.For(options.Protocol);
        var clock = Stopwatch.StartNew();
        if (protocol is PythonProtocol && !options.Lenient && predictionDir is not null) PythonProtocol.RequireEveryImage(gt, predictions, predictionDir);
        var (min, max) = protocol.NormalizationRange(gt, predictions);
        var images = gt.Images;
        var ordered = new PredBox[images.Count][];
        for (var i = 0; i < images.Count; i++)
        {
            ordered[i] = protocol.PredictionsFor(images[i], predictions, options, warnings, predictionDir);
        }
        var normalizeTime = clock.Elapsed;

        clock.Restart();
        var records = EvaluateImages(images, ordered, min, max - min, options.MaxDegreeOfParallelism);
        var settings = new SettingResult[3];
        Span<long> proposals = stackalloc long[ImageEvaluator.ThresholdCount];
        Span<long> truePositives = stackalloc long[ImageEvaluator.ThresholdCount];
        foreach (var setting in SettingExtensions.All)
        {
            var faces = records.Accumulate(setting, [], proposals, truePositives);
            var (precision, recall) = PrecisionRecall.Curve(proposals, truePositives, faces);
            var ap = PrecisionRecall.VocAp(recall, precision);
            settings[(int)setting] = new SettingResult(setting, ap, checked((int)faces), (double[])ImageEvaluator.Thresholds.Clone(), precision, recall);
        }
        var evaluateTime = clock.Elapsed;
        return new EvaluationResult(settings, gt, options.Protocol, records, warnings, new EvaluationTimings(readTime, normalizeTime, evaluateTime), min, max);
    }

    /// <summary>Phase 1 over all images, in contiguous chunks so the merged records keep image order.</summary>
    private static ImageEvalRecords EvaluateImages(IReadOnlyList<GroundTruthImage> images, PredBox[][] predictions, double min, double range, int? maxDegree)
    {
        var workers = Math.Max(1, maxDegree ?? Environment.ProcessorCount);
        var chunkCount = Math.Min(images.Count, workers == 1 ? 1 : workers * 4);
        chunkCount = Math.Max(chunkCount, 1);
        var parts = new RecordsBuilder[chunkCount];
        Parallel.For(0, chunkCount, new ParallelOptions { MaxDegreeOfParallelism = workers }, chunk =>
        {
            var start = (int)((long)images.Count * chunk / chunkCount);
            var end = (int)((long)images.Count * (chunk + 1) / chunkCount);
            var evaluator = new ImageEvaluator();
            var builder = new RecordsBuilder();
            var scores = new double[256];
            for (var i = start; i < end; i++)
            {
                var boxes = predictions[i];
                if (scores.Length < boxes.Length) scores = new double[Math.Max(boxes.Length, scores.Length * 2)];
                for (var k = 0; k < boxes.Length; k++) scores[k] = (boxes[k].Score - min) / range;
                evaluator.Evaluate(images[i], boxes, scores.AsSpan(0, boxes.Length), builder);
            }
            parts[chunk] = builder;
        });
        return RecordsBuilder.Merge(images, parts);
    }
}

/// <summary>A prediction folder as read under one protocol: the predictions, what was tolerated, and the read time.</summary>
public sealed record PredictionFolder(string Path, PredictionSet Predictions, IReadOnlyList<string> Warnings, TimeSpan ReadTime);
