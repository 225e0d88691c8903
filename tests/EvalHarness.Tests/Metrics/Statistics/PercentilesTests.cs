using CsCheck;
using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Tests.Metrics.Statistics;

public class PercentilesTests
{
    // Expected values are numpy.percentile(x, q) with the default 'linear' method, worked by hand:
    // h = (n-1)·p, then interpolate between x[floor(h)] and x[floor(h)+1].
    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2.5)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 0.5, 2.5)]
    [InlineData(new double[] { 1, 2, 3, 4, 5 }, 0.5, 3.0)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.9, 3.7)] // h = 2.7
    [InlineData(new double[] { 10, 20 }, 0.25, 12.5)]
    [InlineData(new double[] { 10, 20 }, 0.0, 10.0)]
    [InlineData(new double[] { 10, 20 }, 1.0, 20.0)]
    [InlineData(new double[] { 7 }, 0.99, 7.0)]
    public void Matches_numpy_linear(double[] values, double p, double expected)
    {
        Assert.Equal(expected, Percentiles.Of(values, p), 12);
    }

    [Fact]
    public void Does_not_reorder_the_input()
    {
        double[] values = [3, 1, 2];
        Percentiles.Median(values);
        Assert.Equal([3.0, 1.0, 2.0], values);
    }

    [Fact]
    public void Is_monotone_in_p_and_bounded_by_the_extremes()
    {
        Gen.Double[-1e6, 1e6].Array[1, 50].Sample(values =>
        {
            var sorted = (double[])values.Clone();
            Array.Sort(sorted);
            var previous = double.NegativeInfinity;
            for (var p = 0.0; p <= 1.0; p += 0.05)
            {
                var q = Percentiles.OfSorted(sorted, p);
                Assert.True(q >= previous, $"not monotone at p={p}");
                Assert.InRange(q, sorted[0], sorted[^1]);
                previous = q;
            }
        });
    }

    [Fact]
    public void Rejects_empty_input_and_bad_fractions()
    {
        Assert.Throws<ArgumentException>(() => Percentiles.Of([], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1.0], 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1.0], double.NaN));
    }
}

public class LatencyStatsTests
{
    [Fact]
    public void Summarises_a_known_sample()
    {
        // 1..10 ms: mean 5.5, sample std sqrt(82.5/9), median 5.5, p90 h=8.1 -> 9.1, p99 h=8.91 -> 9.91.
        double[] samples = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        var s = LatencyStats.From(samples);
        Assert.Equal(10, s.Count);
        Assert.Equal(5.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(82.5 / 9), s.Std, 12);
        Assert.Equal(5.5, s.Median, 12);
        Assert.Equal(9.1, s.P90, 12);
        Assert.Equal(9.91, s.P99, 12);
        Assert.Equal(1, s.Min);
        Assert.Equal(10, s.Max);
        Assert.Equal(1000 / 5.5, s.ThroughputPerSecond, 9);
    }

    [Fact]
    public void A_single_sample_has_zero_spread()
    {
        var s = LatencyStats.From([2.5]);
        Assert.Equal(0, s.Std);
        Assert.Equal(2.5, s.P99);
        Assert.Equal(400, s.ThroughputPerSecond, 9);
    }

    [Fact]
    public void Rejects_empty_and_non_finite_samples()
    {
        Assert.Throws<ArgumentException>(() => LatencyStats.From([]));
        Assert.Throws<ArgumentException>(() => LatencyStats.From([1, double.NaN]));
    }
}

public class QuickselectTests
{
    private static readonly double[] Probabilities = [0.0, 0.025, 0.5, 0.9, 0.975, 1.0];

    [Fact]
    public void In_place_selection_equals_the_sorted_quantile_bit_for_bit()
    {
        // values from a small set so that ties and plateaus are common
        Gen.Select(Gen.Int[0, 9].Select(i => i * 0.5).Array[1, 300], Gen.Double[0, 1]).Sample(t =>
        {
            var (values, p) = t;
            var sorted = (double[])values.Clone();
            Array.Sort(sorted);
            var work = (double[])values.Clone();
            Assert.Equal(Percentiles.OfSorted(sorted, p), Percentiles.OfUnsortedInPlace(work, p));
            Array.Sort(work);
            Assert.Equal(sorted, work); // a permutation of the input
        });
        Gen.Double[-1e3, 1e3].Array[1, 500].Sample(values =>
        {
            var sorted = (double[])values.Clone();
            Array.Sort(sorted);
            foreach (var p in Probabilities)
            {
                Assert.Equal(Percentiles.OfSorted(sorted, p), Percentiles.OfUnsortedInPlace((double[])values.Clone(), p));
            }
        });
    }
}
