using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Tests.Reporting;

public class RunStatisticsTests
{
    [Fact]
    public void Speed_ratio_pairs_by_image_and_collapses_repeats()
    {
        // baseline: images a,b,c twice each; variant: exactly half as long, listed in another order, plus an extra image
        var baseline = new LatencySeries("nms", "simd", ["a", "b", "c", "a", "b", "c"], [2, 4, 6, 2.2, 4.4, 6.6]);
        var variant = new LatencySeries("gc", "simd", ["c", "b", "a", "z", "c", "b", "a"], [3, 2, 1, 100, 3.3, 2.2, 1.1]);
        var ratio = RunStatistics.SpeedRatio(variant, baseline)!.Value;
        Assert.Equal(0.5, ratio.Estimate, 12);
        Assert.Equal(0.5, ratio.Lower, 12);
        Assert.Equal(0.5, ratio.Upper, 12);
        Assert.Null(RunStatistics.SpeedRatio(new LatencySeries("gc", "simd", ["q"], [1]), baseline));
    }

    [Fact]
    public void Delta_ap_uses_the_paired_statistic_per_setting()
    {
        // "AP" = weighted mean of per-image scores; the variant is better by 0.1 on hard only
        double[] easy = [0.5, 0.6, 0.7, 0.8];
        WeightedStatistic Mean(double[] x, double shift) => w =>
        {
            double s = 0, n = 0;
            for (var i = 0; i < x.Length; i++) { s += w[i] * (x[i] + shift); n += w[i]; }
            return s / n;
        };
        var delta = RunStatistics.DeltaAp(4, s => Mean(easy, s == Setting.Hard ? 0.1 : 0), _ => Mean(easy, 0));
        Assert.Equal(0, delta.Easy.Estimate, 12);
        Assert.Equal(0, delta.Easy.Width, 12);
        Assert.Equal(0.1, delta.Hard.Estimate, 12);
        Assert.Equal(0.1, delta.Hard.Lower, 12);
        var ap = RunStatistics.ApInterval(4, _ => Mean(easy, 0));
        Assert.Equal(0.65, ap.Medium.Estimate, 12);
        Assert.True(ap.Medium.Lower < 0.65 && ap.Medium.Upper > 0.65);
    }
}
