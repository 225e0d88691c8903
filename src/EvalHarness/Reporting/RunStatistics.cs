using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Reporting;

/// <summary>
/// The statistics a run row needs, from raw measurements: latency summary, speed ratio against
/// the baseline variant, ΔAP and AP intervals. Thin glue over <see cref="Bootstrap"/> so the run
/// orchestration stays free of statistics.
/// </summary>
public static class RunStatistics
{
    /// <summary>Summary of every sample of the series (all repeats of all images).</summary>
    public static LatencyStats Latency(LatencySeries series) => LatencyStats.From(series.Milliseconds);

    /// <summary>
    /// median(variant) / median(baseline) over per-image medians (repeats collapsed), paired by
    /// image key (images present in both), with its paired-bootstrap interval. Null without
    /// shared images.
    /// </summary>
    public static Interval? SpeedRatio(LatencySeries variant, LatencySeries baseline, BootstrapOptions? options = null)
    {
        var (vImages, vMs) = variant.PerImageMedians();
        var (bImages, bMs) = baseline.PerImageMedians();
        var baselineIndex = new Dictionary<string, int>(bImages.Length, StringComparer.Ordinal);
        for (var i = 0; i < bImages.Length; i++) baselineIndex[bImages[i]] = i;
        var a = new List<double>(vImages.Length);
        var b = new List<double>(vImages.Length);
        for (var i = 0; i < vImages.Length; i++)
        {
            if (!baselineIndex.TryGetValue(vImages[i], out var j)) continue;
            a.Add(vMs[i]);
            b.Add(bMs[j]);
        }
        if (a.Count == 0) return null;
        return Bootstrap.MedianRatio(a.ToArray(), b.ToArray(), options);
    }

    /// <summary>
    /// ΔAP = AP(variant) − AP(baseline) per setting, each with a paired bootstrap over the
    /// <paramref name="imageCount"/> evaluated images (e.g. <c>s =&gt; w =&gt; recordsA.ApWithWeights(s, w)</c>).
    /// Every setting sees the same resamples (same seed), so the three intervals are consistent.
    /// </summary>
    public static PerSetting<Interval> DeltaAp(int imageCount, Func<Setting, WeightedStatistic> variantAp, Func<Setting, WeightedStatistic> baselineAp, BootstrapOptions? options = null)
    {
        Interval For(Setting s) => Bootstrap.PairedDifference(imageCount, variantAp(s), baselineAp(s), options);
        return new PerSetting<Interval>(For(Setting.Easy), For(Setting.Medium), For(Setting.Hard));
    }

    /// <summary>Bootstrap interval of the AP itself per setting (for the error bars of the AP chart).</summary>
    public static PerSetting<Interval> ApInterval(int imageCount, Func<Setting, WeightedStatistic> ap, BootstrapOptions? options = null)
    {
        Interval For(Setting s) => Bootstrap.Paired(imageCount, ap(s), options);
        return new PerSetting<Interval>(For(Setting.Easy), For(Setting.Medium), For(Setting.Hard));
    }
}
