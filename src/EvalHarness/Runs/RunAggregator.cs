using System.Security.Cryptography;
using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Runs;

/// <summary>What the aggregator needs besides the per-image outcomes.</summary>
public sealed record AggregationContext
{
    public required string SuiteName { get; init; }
    public required string Dataset { get; init; }
    public required RunPlan Plan { get; init; }

    /// <summary>Row labels, one per planned variant (<see cref="Suites.Suite.VariantLabels"/>).</summary>
    public required IReadOnlyList<string> VariantLabels { get; init; }

    /// <summary>The source's ground truth, indexed like the source's images.</summary>
    public required GroundTruth GroundTruth { get; init; }

    /// <summary>Device description per planned backend (empty when absent).</summary>
    public required IReadOnlyList<string> BackendDevices { get; init; }

    public BootstrapOptions Bootstrap { get; init; } = BootstrapOptions.Default;
    public EnvironmentInfo? Environment { get; init; }
    public string? SuiteJson { get; init; }

    /// <summary>The face subsets of the per-variant breakdown (null: none).</summary>
    public IReadOnlyList<BreakdownKind>? BreakdownKinds { get; init; }
}

/// <summary>
/// Turns the per-image outcomes of a run (or of merged shards) into <see cref="RunResults"/>:
/// AP per variant × backend through the evaluator in memory, ΔAP against <c>nms</c> with a paired
/// bootstrap over images, latency statistics over per-image medians, and the speed ratio.
/// The result depends only on the outcomes in image order, so a merge of shards equals an
/// unsharded run (timings aside).
/// </summary>
public static class RunAggregator
{
    public static RunResults Aggregate(AggregationContext context, IReadOnlyList<ImageOutcome> outcomes)
    {
        var plan = context.Plan;
        var processed = new List<ImageOutcome>();
        foreach (var o in outcomes)
        {
            if (o.Error is null) processed.Add(o);
        }
        processed.Sort((a, b) => a.ImageIndex.CompareTo(b.ImageIndex));

        var gtImages = new List<GroundTruthImage>(processed.Count);
        foreach (var o in processed) gtImages.Add(context.GroundTruth.Images[o.ImageIndex]);
        var isSubset = context.GroundTruth.IsSubset || processed.Count < context.GroundTruth.Images.Count;
        var groundTruth = new GroundTruth { Images = gtImages, Source = context.GroundTruth.Source, IsSubset = isSubset };

        var cells = new CellSummary?[plan.CellCount];
        var evaluations = new Dictionary<string, (EvaluationResult Result, IReadOnlyList<BreakdownBucket>? Breakdown)>(StringComparer.Ordinal);
        for (var v = 0; v < plan.Variants.Count; v++)
        {
            for (var b = 0; b < plan.Backends.Count; b++)
            {
                cells[plan.CellIndex(v, b)] = Summarise(plan.CellIndex(v, b), processed, groundTruth, evaluations, context.BreakdownKinds);
            }
        }

        var baselineVariant = IndexOfBaseline(plan);
        var rows = new List<ResultRow>();
        var curves = new List<PrCurve>();
        var series = new List<LatencySeries>();
        var scaling = new List<ScalingPoint>();
        for (var v = 0; v < plan.Variants.Count; v++)
        {
            for (var b = 0; b < plan.Backends.Count; b++)
            {
                var label = context.VariantLabels[v];
                var backend = plan.Backends[b];
                var cell = cells[plan.CellIndex(v, b)]!;
                var baseline = baselineVariant >= 0 && baselineVariant != v ? cells[plan.CellIndex(baselineVariant, b)] : null;
                rows.Add(BuildRow(context, v, b, cell, baseline, processed));
                if (cell.Evaluation is not { } evaluation) continue;
                foreach (var s in evaluation.Settings) curves.Add(new PrCurve(label, backend, s.Setting, s.Thresholds, s.Precision, s.Recall));
                series.Add(new LatencySeries(label, backend, cell.SampleImages!, cell.Samples!));
                AddScalingPoints(scaling, label, backend, processed, cell.PerImageMedians!);
            }
        }

        return new RunResults
        {
            Suite = context.SuiteName,
            Dataset = DescribeDataset(context, processed.Count, isSubset),
            IsSubset = isSubset,
            Environment = context.Environment,
            SuiteJson = context.SuiteJson,
            Rows = rows,
            PrCurves = curves,
            LatencySamples = series,
            Scaling = scaling,
            Verdicts = RunVerdicts.Build(rows),
        };
    }

    /// <summary>
    /// Per-image (candidates, median ms) pairs binned into eighth-decade bins of the candidate
    /// count, one point per bin at the bin's median count and median time: a readable curve whose
    /// slope shows how each backend scales, instead of one noisy dot per image.
    /// </summary>
    private static void AddScalingPoints(List<ScalingPoint> scaling, string label, string backend, List<ImageOutcome> processed, double[] medians)
    {
        var bins = new SortedDictionary<int, (List<double> Counts, List<double> Times)>();
        for (var i = 0; i < processed.Count; i++)
        {
            var count = processed[i].CandidateCount;
            if (count <= 0) continue;
            var bin = (int)Math.Floor(Math.Log10(count) * 8);
            if (!bins.TryGetValue(bin, out var b)) bins[bin] = b = ([], []);
            b.Counts.Add(count);
            b.Times.Add(medians[i]);
        }
        foreach (var (_, b) in bins)
        {
            scaling.Add(new ScalingPoint(label, backend, (int)Math.Round(Percentiles.Median(b.Counts.ToArray())), Percentiles.Median(b.Times.ToArray())));
        }
    }

    private static string DescribeDataset(AggregationContext context, int processed, bool isSubset)
    {
        var listed = context.GroundTruth.Images.Count;
        if (!isSubset) return $"{context.Dataset}, {processed} images";
        var skipped = listed - processed;
        return $"{context.Dataset}, subset of {processed} images{(skipped > 0 ? $" ({skipped} of {listed} listed images skipped)" : "")}";
    }

    private static int IndexOfBaseline(RunPlan plan)
    {
        for (var v = 0; v < plan.Variants.Count; v++)
        {
            if (plan.Variants[v].Kind == PostProcessing.VariantKind.Nms) return v;
        }
        return -1;
    }

    /// <summary>One cell over all processed images: its status, evaluation and latency samples.</summary>
    private sealed class CellSummary
    {
        public RowStatus Status;
        public string? Reason;
        public EvaluationResult? Evaluation;
        public IReadOnlyList<BreakdownBucket>? Breakdown;
        public string? DetectionsSha256;
        public long Detections;
        public double[]? PerImageMedians;
        public string[]? SampleImages;
        public double[]? Samples;
    }

    private static CellSummary Summarise(int cell, List<ImageOutcome> processed, GroundTruth groundTruth,
        Dictionary<string, (EvaluationResult Result, IReadOnlyList<BreakdownBucket>? Breakdown)> evaluations, IReadOnlyList<BreakdownKind>? breakdownKinds)
    {
        foreach (var o in processed)
        {
            var c = o.Cells[cell];
            if (c.Status == CellStatus.NotAvailable) return new CellSummary { Status = RowStatus.NotApplicable, Reason = c.Message };
        }
        foreach (var o in processed)
        {
            var c = o.Cells[cell];
            if (c.Status == CellStatus.Failed) return new CellSummary { Status = RowStatus.Failed, Reason = c.Message };
        }

        var predictions = new PredictionSet { Source = "in-memory" };
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var medians = new double[processed.Count];
        var sampleImages = new List<string>();
        var samples = new List<double>();
        long detections = 0;
        for (var i = 0; i < processed.Count; i++)
        {
            var o = processed[i];
            var c = o.Cells[cell];
            var boxes = new PredBox[c.DetectionCount];
            for (var d = 0; d < boxes.Length; d++)
            {
                var k = d * 5;
                boxes[d] = PredictionFormat.ToPredBox(c.Detections[k], c.Detections[k + 1], c.Detections[k + 2], c.Detections[k + 3], c.Detections[k + 4]);
            }
            detections += boxes.Length;
            predictions.Set(new ImagePredictions { Event = o.Event, ImageKey = o.ImageKey, Boxes = boxes });
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{o.Event}/{o.ImageKey}\n"));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(c.Detections.AsSpan()));
            medians[i] = Percentiles.Median(c.SamplesMs);
            foreach (var ms in c.SamplesMs)
            {
                sampleImages.Add(o.ImageKey);
                samples.Add(ms);
            }
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        // Backends that agree exactly produce the same hash: evaluate each distinct output once.
        if (!evaluations.TryGetValue(sha, out var evaluation))
        {
            evaluation = (WiderFaceEvaluator.Evaluate(groundTruth, predictions, EvalOptions.Default),
                breakdownKinds is null ? null : SubsetBreakdown.Compute(groundTruth, predictions, EvalOptions.Default, breakdownKinds));
            evaluations[sha] = evaluation;
        }
        return new CellSummary
        {
            Status = RowStatus.Ok,
            Evaluation = evaluation.Result,
            Breakdown = evaluation.Breakdown,
            DetectionsSha256 = sha,
            Detections = detections,
            PerImageMedians = medians,
            SampleImages = sampleImages.ToArray(),
            Samples = samples.ToArray(),
        };
    }

    private static ResultRow BuildRow(AggregationContext context, int v, int b, CellSummary cell, CellSummary? baseline, List<ImageOutcome> processed)
    {
        var plan = context.Plan;
        var row = new ResultRow
        {
            Variant = context.VariantLabels[v],
            VariantSpec = plan.Variants[v].ToString(),
            Backend = plan.Backends[b],
            Device = context.BackendDevices[b],
            Status = cell.Status,
            Reason = cell.Reason,
            Breakdown = cell.Breakdown,
        };
        if (cell.Evaluation is not { } evaluation) return row;

        var records = evaluation.Records;
        PerSetting<Interval>? delta = null;
        Interval? speed = null;
        if (baseline?.Evaluation is { } baseEvaluation)
        {
            var baseRecords = baseEvaluation.Records;
            Interval Delta(Setting s) => Bootstrap.PairedDifference(records.ImageCount,
                w => records.ApWithWeights(s, w), w => baseRecords.ApWithWeights(s, w), context.Bootstrap);
            delta = new PerSetting<Interval>(Delta(Setting.Easy), Delta(Setting.Medium), Delta(Setting.Hard));
            speed = Bootstrap.MedianRatio(cell.PerImageMedians, baseline.PerImageMedians, context.Bootstrap);
        }
        Interval ApInterval(Setting s) => Bootstrap.Paired(records.ImageCount, w => records.ApWithWeights(s, w), context.Bootstrap);

        return row with
        {
            Ap = new PerSetting<double>(evaluation[Setting.Easy].Ap, evaluation[Setting.Medium].Ap, evaluation[Setting.Hard].Ap),
            ApInterval = new PerSetting<Interval>(ApInterval(Setting.Easy), ApInterval(Setting.Medium), ApInterval(Setting.Hard)),
            Faces = new PerSetting<int>(evaluation[Setting.Easy].Faces, evaluation[Setting.Medium].Faces, evaluation[Setting.Hard].Faces),
            DeltaAp = delta,
            Latency = LatencyStats.From(cell.PerImageMedians),
            SpeedRatio = speed,
            Stages = new StageLatencies
            {
                Decode = StageMedian(processed, o => o.Stages.DecodeMs),
                Inference = StageMedian(processed, o => o.Stages.InferenceMs),
                DenseDecode = StageMedian(processed, o => o.Stages.DenseDecodeMs),
                PostProcess = Percentiles.Median(cell.PerImageMedians),
            },
            Detections = cell.Detections,
            DetectionsSha256 = cell.DetectionsSha256,
        };
    }

    private static double? StageMedian(List<ImageOutcome> processed, Func<ImageOutcome, double> stage)
    {
        if (processed.Count == 0) return null;
        var values = new double[processed.Count];
        var any = false;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = stage(processed[i]);
            any |= values[i] > 0;
        }
        return any ? Percentiles.Median(values) : null;
    }
}
