using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Runs;

/// <summary>
/// What the row statistics need of one variant × backend cell: its evaluation records, the
/// median latency of each image (repeats collapsed) with the images they belong to, and the hash
/// of its output (identical outputs share their resampled AP).
/// </summary>
internal sealed record CellMeasurements(string OutputHash, ImageEvalRecords Records, IReadOnlyList<string> LatencyImages, double[] PerImageMedians)
{
    /// <summary>The key images are paired on: event and file name, the same in every cell of a run.</summary>
    public static string KeyOf(string imageEvent, string imageKey) => imageEvent + "/" + imageKey;
}

/// <summary>
/// The statistics of a run's rows: AP with its bootstrap interval, ΔAP against the baseline
/// variant with its paired-bootstrap interval, latency summary and the speed ratio with its
/// interval. Every statistic uses the same resamples of the run's images (drawn once, see
/// <see cref="ResampleWeights"/>), so the intervals of one run are consistent and equal to
/// <see cref="Bootstrap.Paired"/> / <see cref="Bootstrap.MedianRatio"/> with the same options.
/// Cells are paired by image key, not by position: a cell may list its images in any order.
/// The resampled AP of each distinct output is computed once and shared by every row that
/// needs it (the baseline's by every ΔAP, identical backends' by each other). Not thread-safe;
/// the resamples themselves run in parallel.
/// </summary>
internal sealed class RowStatistics
{
    private readonly ResampleWeights _resamples;
    private readonly Dictionary<string, int> _position;
    private readonly Dictionary<string, ResampledAp> _apByOutput = new(StringComparer.Ordinal);
    private readonly int? _parallelism;

    /// <param name="imageKeys">The run's images (<see cref="CellMeasurements.KeyOf"/>) in the order resample weights are drawn over.</param>
    /// <param name="options">Resample count, confidence and seed.</param>
    /// <param name="parallelism">Most resamples evaluated at once; null: one per core. The result is the same for any value.</param>
    public RowStatistics(IReadOnlyList<string> imageKeys, BootstrapOptions options, int? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(imageKeys);
        _position = new Dictionary<string, int>(imageKeys.Count, StringComparer.Ordinal);
        for (var i = 0; i < imageKeys.Count; i++)
        {
            if (!_position.TryAdd(imageKeys[i], i)) throw new ArgumentException($"image {imageKeys[i]} is listed twice", nameof(imageKeys));
        }
        _resamples = ResampleWeights.Draw(imageKeys.Count, options);
        _parallelism = parallelism;
    }

    /// <summary>Number of distinct outputs whose resampled AP has been computed (each once).</summary>
    public int DistinctOutputsResampled => _apByOutput.Count;

    public PerSetting<Interval> ApInterval(CellMeasurements cell)
    {
        var ap = ResampledApOf(cell);
        Interval For(Setting s) => Bootstrap.FromResamples(ap.Estimate[(int)s], (double[])ap.Resampled[(int)s].Clone(), _resamples.Options.Confidence);
        return new PerSetting<Interval>(For(Setting.Easy), For(Setting.Medium), For(Setting.Hard));
    }

    /// <summary>AP(variant) − AP(baseline) per setting, both evaluated on the same resampled images.</summary>
    public PerSetting<Interval> DeltaAp(CellMeasurements variant, CellMeasurements baseline)
    {
        var a = ResampledApOf(variant);
        var b = ResampledApOf(baseline);
        Interval For(Setting setting)
        {
            var s = (int)setting;
            var stats = new double[_resamples.Count];
            for (var r = 0; r < stats.Length; r++) stats[r] = Bootstrap.Difference(a.Resampled[s][r], b.Resampled[s][r]);
            return Bootstrap.FromResamples(Bootstrap.Difference(a.Estimate[s], b.Estimate[s]), stats, _resamples.Options.Confidence);
        }
        return new PerSetting<Interval>(For(Setting.Easy), For(Setting.Medium), For(Setting.Hard));
    }

    /// <summary>Summary of the per-image medians (one value per image, repeats collapsed).</summary>
    public static LatencyStats Latency(CellMeasurements cell) => LatencyStats.From(cell.PerImageMedians);

    /// <summary>median(variant) / median(baseline) over per-image medians, paired by image, with its interval; below 1 the variant is faster.</summary>
    public Interval SpeedRatio(CellMeasurements variant, CellMeasurements baseline)
    {
        var a = InRunOrder(variant);
        var b = InRunOrder(baseline);
        var estimate = Percentiles.Median(a) / Percentiles.Median(b);
        return Bootstrap.FromResamples(estimate, _resamples.MedianRatios(a, b, _parallelism), _resamples.Options.Confidence);
    }

    private double[] InRunOrder(CellMeasurements cell)
    {
        if (cell.LatencyImages.Count != cell.PerImageMedians.Length)
        {
            throw new ArgumentException($"{cell.LatencyImages.Count} images for {cell.PerImageMedians.Length} latencies", nameof(cell));
        }
        var ordered = new double[_resamples.ImageCount];
        var seen = new bool[ordered.Length];
        for (var i = 0; i < cell.LatencyImages.Count; i++)
        {
            var at = PositionOf(cell.LatencyImages[i]);
            if (seen[at]) throw new ArgumentException($"image {cell.LatencyImages[i]} has two latencies", nameof(cell));
            seen[at] = true;
            ordered[at] = cell.PerImageMedians[i];
        }
        RequireAll(seen, cell.LatencyImages.Count);
        return ordered;
    }

    private ResampledAp ResampledApOf(CellMeasurements cell)
    {
        if (_apByOutput.TryGetValue(cell.OutputHash, out var cached)) return cached;
        var records = cell.Records;
        // Weights are drawn over the run's order; the records may list the images in another.
        var runPositionOf = new int[records.ImageCount];
        var seen = new bool[_resamples.ImageCount];
        var inRunOrder = true;
        for (var j = 0; j < runPositionOf.Length; j++)
        {
            var image = records.Images[j];
            var at = PositionOf(CellMeasurements.KeyOf(image.Event, image.ImageKey));
            if (seen[at]) throw new ArgumentException($"image {image.Event}/{image.ImageKey} evaluated twice", nameof(cell));
            seen[at] = true;
            runPositionOf[j] = at;
            inRunOrder &= at == j;
        }
        RequireAll(seen, records.ImageCount);

        var ones = new int[records.ImageCount];
        ones.AsSpan().Fill(1);
        var estimate = new double[3];
        var resampled = new double[3][];
        foreach (var s in SettingExtensions.All)
        {
            estimate[(int)s] = records.ApWithWeights(s, ones);
            resampled[(int)s] = new double[_resamples.Count];
        }
        Parallel.For(0, _resamples.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism ?? -1 },
            () => inRunOrder ? [] : new int[records.ImageCount],
            (r, _, permuted) =>
            {
                var weights = _resamples[r];
                if (!inRunOrder)
                {
                    for (var j = 0; j < permuted.Length; j++) permuted[j] = weights[runPositionOf[j]];
                    weights = permuted;
                }
                foreach (var s in SettingExtensions.All) resampled[(int)s][r] = records.ApWithWeights(s, weights);
                return permuted;
            },
            _ => { });
        var ap = new ResampledAp(estimate, resampled);
        _apByOutput[cell.OutputHash] = ap;
        return ap;
    }

    private int PositionOf(string key) =>
        _position.TryGetValue(key, out var at) ? at : throw new ArgumentException($"image {key} is not one of the run's images");

    private static void RequireAll(bool[] seen, int count)
    {
        if (count == seen.Length) return;
        throw new ArgumentException($"{count} images, the run has {seen.Length}: cells must cover the same images to be paired");
    }

    /// <summary>AP per setting on the original images and on every resample.</summary>
    private sealed record ResampledAp(double[] Estimate, double[][] Resampled);
}
