using System.Buffers;

namespace EvalHarness.Metrics.Statistics;

/// <summary>
/// A statistic of a resample given as multiplicity weights: <c>weights[i]</c> is how many times
/// image <c>i</c> was drawn (all ones = the original sample). An AP evaluator implements it by
/// counting each image's faces, proposals and true positives <c>weights[i]</c> times.
/// </summary>
public delegate double WeightedStatistic(ReadOnlySpan<int> weights);

/// <summary>Resampling settings; the defaults are the harness's: 1000 resamples, 95 %, a fixed seed.</summary>
public sealed record BootstrapOptions
{
    public const ulong DefaultSeed = 0x5EED_2026_FACEUL;

    public int Resamples { get; init; } = 1000;
    public double Confidence { get; init; } = 0.95;
    public ulong Seed { get; init; } = DefaultSeed;

    public static BootstrapOptions Default { get; } = new();

    internal void Validate()
    {
        if (Resamples < 1) throw new ArgumentOutOfRangeException(nameof(Resamples), Resamples, "must be at least 1");
        if (!(Confidence > 0 && Confidence < 1)) throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "must be in (0, 1)");
    }
}

/// <summary>A point estimate with its confidence interval.</summary>
public readonly record struct Interval(double Estimate, double Lower, double Upper)
{
    public bool Contains(double value) => value >= Lower && value <= Upper;

    /// <summary>The whole interval lies strictly above <paramref name="value"/>.</summary>
    public bool IsAbove(double value) => Lower > value;

    /// <summary>The whole interval lies strictly below <paramref name="value"/>.</summary>
    public bool IsBelow(double value) => Upper < value;
}

/// <summary>
/// Deterministic percentile bootstrap. Each resample draws n indices with replacement from a
/// <see cref="SplitMix64"/> stream seeded by <see cref="BootstrapOptions.Seed"/>; the interval is
/// the (α/2, 1 − α/2) quantiles (<see cref="Percentiles"/>, numpy 'linear') of the resampled
/// statistics; the estimate is the statistic of the original sample. Paired variants resample
/// images, and every statistic of one resample sees the same images, so image-to-image variation
/// common to both sides cancels.
/// </summary>
public static class Bootstrap
{
    /// <summary>
    /// Paired bootstrap over <paramref name="itemCount"/> images of a statistic given by weights
    /// (e.g. AP of variant A − AP of variant B on the same resampled images).
    /// </summary>
    public static Interval Paired(int itemCount, WeightedStatistic statistic, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        options ??= BootstrapOptions.Default;
        options.Validate();
        if (itemCount <= 0) throw new ArgumentOutOfRangeException(nameof(itemCount), itemCount, "need at least one image");
        var weights = new int[itemCount];
        weights.AsSpan().Fill(1);
        var estimate = statistic(weights);
        var stats = new double[options.Resamples];
        var rng = new SplitMix64(options.Seed);
        for (var b = 0; b < stats.Length; b++)
        {
            DrawWeights(ref rng, weights);
            stats[b] = statistic(weights);
        }
        return FromResamples(estimate, stats, options.Confidence);
    }

    /// <summary>ΔAP-style paired difference: <c>metricA(w) − metricB(w)</c> on the same resampled images.</summary>
    public static Interval PairedDifference(int itemCount, WeightedStatistic metricA, WeightedStatistic metricB, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metricA);
        ArgumentNullException.ThrowIfNull(metricB);
        return Paired(itemCount, w => Difference(metricA(w), metricB(w)), options);
    }

    /// <summary>
    /// <c>a − b</c>, with a difference within rounding noise of the operands taken as 0. Two APs
    /// can be equal as numbers yet summed over their precision values in another order (different
    /// outputs with the same curve on a resample): their float difference is then ±1 ulp
    /// (−5.55e-17 near 0.4), which an interval bound printed as "-5.55e-17" instead of 0.
    /// 1e-12 relative is far below any AP difference a result reports (four decimals).
    /// </summary>
    public static double Difference(double a, double b)
    {
        var d = a - b;
        return Math.Abs(d) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b)) ? 0 : d;
    }

    /// <summary>
    /// Interval of <c>median(a) / median(b)</c> where <c>a[i]</c> and <c>b[i]</c> are latencies of
    /// the same image under two variants (or backends); images are resampled, keeping pairs.
    /// A ratio below 1 means <paramref name="a"/> is faster.
    /// </summary>
    public static Interval MedianRatio(ReadOnlySpan<double> a, ReadOnlySpan<double> b, BootstrapOptions? options = null)
    {
        options ??= BootstrapOptions.Default;
        options.Validate();
        if (a.Length != b.Length) throw new ArgumentException($"paired samples differ in length ({a.Length} vs {b.Length})");
        if (a.IsEmpty) throw new ArgumentException("empty sample", nameof(a));
        var n = a.Length;
        var estimate = Percentiles.Median(a) / Percentiles.Median(b);
        var stats = new double[options.Resamples];
        var rentedA = ArrayPool<double>.Shared.Rent(n);
        var rentedB = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var drawA = rentedA.AsSpan(0, n);
            var drawB = rentedB.AsSpan(0, n);
            var rng = new SplitMix64(options.Seed);
            for (var r = 0; r < stats.Length; r++)
            {
                for (var i = 0; i < n; i++)
                {
                    var k = rng.NextInt(n);
                    drawA[i] = a[k];
                    drawB[i] = b[k];
                }
                stats[r] = Percentiles.OfUnsortedInPlace(drawA, 0.5) / Percentiles.OfUnsortedInPlace(drawB, 0.5);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rentedA);
            ArrayPool<double>.Shared.Return(rentedB);
        }
        return FromResamples(estimate, stats, options.Confidence);
    }

    /// <summary>Fills <paramref name="weights"/> with the multiplicities of n draws with replacement.</summary>
    public static void DrawWeights(ref SplitMix64 rng, Span<int> weights)
    {
        weights.Clear();
        var n = weights.Length;
        for (var i = 0; i < n; i++) weights[rng.NextInt(n)]++;
    }

    /// <summary>The percentile interval of the resampled statistics (sorted in place) around <paramref name="estimate"/>.</summary>
    internal static Interval FromResamples(double estimate, double[] stats, double confidence)
    {
        Array.Sort(stats);
        var alpha = 1 - confidence;
        // A statistic undefined on some resamples (an AP over a resample without a counted face,
        // likely with few images) has no honest interval: report NaN bounds, which every verdict
        // reads as inconclusive, rather than an interval over the resamples that happened to work.
        if (double.IsNaN(stats[0])) return new Interval(estimate, double.NaN, double.NaN); // Array.Sort puts NaN first
        return new Interval(estimate, Percentiles.OfSorted(stats, alpha / 2), Percentiles.OfSorted(stats, 1 - alpha / 2));
    }
}
