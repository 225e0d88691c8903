using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Metrics;
using EvalHarness.Reporting;

namespace EvalHarness.Runs;

/// <summary>What the aggregator needs besides the per-image outcomes.</summary>
internal sealed record AggregationContext
{
    public required string SuiteName { get; init; }

    /// <summary>The detector's label (<see cref="Reporting.RunResults.Detector"/>).</summary>
    public string Detector { get; init; } = "";

    public required string Dataset { get; init; }
    public required RunPlan Plan { get; init; }

    /// <summary>Row labels, one per planned variant (<see cref="Suites.Suite.VariantLabels"/>).</summary>
    public required IReadOnlyList<string> VariantLabels { get; init; }

    /// <summary>The source's ground truth, indexed like the source's images.</summary>
    public required GroundTruth GroundTruth { get; init; }

    /// <summary>Device description per planned backend (empty when absent).</summary>
    public required IReadOnlyList<string> BackendDevices { get; init; }

    public BootstrapOptions Bootstrap { get; init; } = BootstrapOptions.Default;

    /// <summary>Most bootstrap resamples evaluated at once (null: one per core); the intervals do not depend on it.</summary>
    public int? BootstrapParallelism { get; init; }
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
internal static class RunAggregator
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

        var evaluator = new CellEvaluator(processed, groundTruth, context.BreakdownKinds);
        var cells = new CellSummary[plan.CellCount];
        for (var c = 0; c < cells.Length; c++) cells[c] = evaluator.Summarise(c);
        var statistics = processed.Count > 0 ? new RowStatistics(evaluator.ImageKeys, context.Bootstrap, context.BootstrapParallelism) : null;

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
                var cell = cells[plan.CellIndex(v, b)];
                var baseline = baselineVariant >= 0 && baselineVariant != v ? cells[plan.CellIndex(baselineVariant, b)] : null;
                rows.Add(BuildRow(context, v, b, cell, baseline, processed, statistics));
                if (cell.Evaluation is not { } evaluation) continue;
                foreach (var s in evaluation.Settings) curves.Add(new PrCurve(label, backend, s.Setting, s.Thresholds, s.Precision, s.Recall));
                series.Add(new LatencySeries(label, backend, cell.SampleImages!, cell.Samples!));
                AddScalingPoints(scaling, label, backend, processed, cell.Measurements!.PerImageMedians);
            }
        }

        return new RunResults
        {
            Suite = context.SuiteName,
            Detector = context.Detector,
            Dataset = DescribeDataset(context, processed.Count, isSubset),
            IsSubset = isSubset,
            Environment = context.Environment,
            SuiteJson = context.SuiteJson,
            Rows = rows,
            PrCurves = curves,
            LatencySamples = series,
            Scaling = scaling,
            Verdicts = RunVerdicts.Build(rows),
            LatencyNotes = LatencyNotes(plan, rows),
        };
    }

    /// <summary>A note per batching backend that measured something: its samples are amortised over a batch.</summary>
    private static List<string> LatencyNotes(RunPlan plan, List<ResultRow> rows)
    {
        var notes = new List<string>();
        if (plan.BatchSize == 1) return notes;
        foreach (var backend in plan.Backends)
        {
            if (!RunPlan.IsBatchingBackend(backend) || !rows.Exists(r => r.Backend == backend && r.IsOk)) continue;
            notes.Add($"{backend} latency: batch time / images, batches of up to {plan.BatchSize} images (one timed RunBatch per repeat; every other backend is timed one call per image)");
        }
        return notes;
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

    private static ResultRow BuildRow(AggregationContext context, int v, int b, CellSummary cell, CellSummary? baseline, List<ImageOutcome> processed, RowStatistics? statistics)
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
        if (cell.Evaluation is not { } evaluation || cell.Measurements is not { } measured || statistics is null) return row;

        var baseMeasured = baseline?.Measurements;
        return row with
        {
            Ap = new PerSetting<double>(evaluation[Setting.Easy].Ap, evaluation[Setting.Medium].Ap, evaluation[Setting.Hard].Ap),
            ApInterval = statistics.ApInterval(measured),
            Faces = new PerSetting<int>(evaluation[Setting.Easy].Faces, evaluation[Setting.Medium].Faces, evaluation[Setting.Hard].Faces),
            DeltaAp = baseMeasured is null ? null : statistics.DeltaAp(measured, baseMeasured),
            Latency = RowStatistics.Latency(measured),
            SpeedRatio = baseMeasured is null ? null : statistics.SpeedRatio(measured, baseMeasured),
            Stages = new StageLatencies
            {
                Decode = StageMedian(processed, o => o.Stages.DecodeMs),
                Inference = StageMedian(processed, o => o.Stages.InferenceMs),
                DenseDecode = StageMedian(processed, o => o.Stages.DenseDecodeMs),
                PostProcess = Percentiles.Median(measured.PerImageMedians),
            },
            Detections = cell.Detections,
            DetectionsSha256 = measured.OutputHash,
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
