using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Tests.Metrics.Statistics;

public class SplitMix64Tests
{
    [Fact]
    public void Reproduces_the_published_reference_sequence()
    {
        // Vigna's splitmix64.c with seed 1234567 (also reproduced by a 10-line Python transcription).
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        foreach (var e in expected) Assert.Equal(e, rng.NextUInt64());
    }

    [Fact]
    public void NextInt_is_roughly_uniform()
    {
        var rng = new SplitMix64(7);
        var counts = new int[6];
        const int draws = 60_000;
        for (var i = 0; i < draws; i++) counts[rng.NextInt(6)]++;
        // chi-square with 5 degrees of freedom; 20.5 is the 0.999 quantile.
        double chi = 0;
        foreach (var c in counts) chi += (c - draws / 6.0) * (c - draws / 6.0) / (draws / 6.0);
        Assert.True(chi < 20.5, $"chi-square {chi}");
    }
}

public class BootstrapTests
{
    [Fact]
    public void Same_seed_same_interval_other_seed_other_interval()
    {
        var rng = new SplitMix64(99);
        var sample = Enumerable.Range(0, 101).Select(_ => rng.NextDouble()).ToArray();
        double Mean(ReadOnlySpan<int> w)
        {
            var (sum, count) = (0.0, 0);
            for (var i = 0; i < sample.Length; i++) (sum, count) = (sum + (w[i] * sample[i]), count + w[i]);
            return sum / count;
        }
        var a = Bootstrap.Paired(sample.Length, Mean, new BootstrapOptions { Seed = 1 });
        var b = Bootstrap.Paired(sample.Length, Mean, new BootstrapOptions { Seed = 1 });
        var c = Bootstrap.Paired(sample.Length, Mean, new BootstrapOptions { Seed = 2 });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Two_item_resamples_are_mixed_about_half_the_time()
    {
        // Two draws with replacement from two items give one of each with probability 1/2.
        var rng = new SplitMix64(5);
        var weights = new int[2];
        var mixed = 0;
        for (var b = 0; b < 4000; b++)
        {
            Bootstrap.DrawWeights(ref rng, weights);
            Assert.Equal(2, weights[0] + weights[1]);
            if (weights[0] == 1) mixed++;
        }
        Assert.InRange(mixed, 1800, 2200);
    }

    [Fact]
    public void Paired_difference_of_weighted_means_matches_the_normal_theory_width()
    {
        // metricA − metricB = weighted mean of d_i = a_i − b_i. With d ~ N(0.1, 1), n = 400 the 95%
        // interval is ≈ mean(d) ± 1.96·sd(d)/sqrt(n): half-width ≈ 0.098.
        var rng = new SplitMix64(11);
        const int n = 400;
        var a = new double[n];
        var b = new double[n];
        for (var i = 0; i < n; i++)
        {
            b[i] = 5 * rng.NextDouble(); // shared image difficulty, cancels in the pairing
            a[i] = b[i] + 0.1 + Gaussian(ref rng);
        }
        var interval = Bootstrap.PairedDifference(n, w => WeightedMean(a, w), w => WeightedMean(b, w));
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var mean = d.Average();
        var sd = Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        var half = 1.96 * sd / Math.Sqrt(n);
        Assert.Equal(mean, interval.Estimate, 10);
        Assert.InRange(interval.Upper - interval.Lower, 2 * half * 0.85, 2 * half * 1.15);
        Assert.True(interval.Contains(mean));
    }

    [Fact]
    public void Paired_statistic_sees_all_ones_for_the_estimate_and_n_draws_per_resample()
    {
        var sums = new List<int>();
        var first = true;
        Bootstrap.Paired(17, w =>
        {
            var s = 0;
            foreach (var x in w) s += x;
            sums.Add(s);
            if (first) Assert.All(w.ToArray(), x => Assert.Equal(1, x));
            first = false;
            return s;
        }, new BootstrapOptions { Resamples = 50 });
        Assert.Equal(51, sums.Count);
        Assert.All(sums, s => Assert.Equal(17, s));
    }

    [Fact]
    public void Median_ratio_of_a_uniform_slowdown_is_that_factor()
    {
        var rng = new SplitMix64(3);
        var b = Enumerable.Range(0, 60).Select(_ => 1 + rng.NextDouble()).ToArray();
        var a = b.Select(x => x * 1.3).ToArray();
        var r = Bootstrap.MedianRatio(a, b);
        Assert.Equal(1.3, r.Estimate, 12);
        // every resample keeps the pairs, so every resampled ratio is exactly 1.3 (up to rounding)
        Assert.Equal(1.3, r.Lower, 9);
        Assert.Equal(1.3, r.Upper, 9);
    }

    [Fact]
    public void Median_ratio_rejects_unpaired_samples()
    {
        Assert.Throws<ArgumentException>(() => Bootstrap.MedianRatio([1.0, 2.0], [1.0]));
    }

    private static double WeightedMean(double[] values, ReadOnlySpan<int> w)
    {
        double s = 0;
        long n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            s += w[i] * values[i];
            n += w[i];
        }
        return s / n;
    }

    private static double Gaussian(ref SplitMix64 rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    [Fact]
    public void A_statistic_undefined_on_some_resamples_gives_NaN_bounds_and_an_inconclusive_verdict()
    {
        // like an AP over resamples that may contain no counted face: defined only when image 0 is drawn
        var interval = Bootstrap.Paired(3, w => w[0] == 0 ? double.NaN : 1.0 / w[0]);
        Assert.True(double.IsNaN(interval.Lower) && double.IsNaN(interval.Upper));
        Assert.False(interval.IsAbove(0) || interval.IsBelow(0));
        var verdict = Verdicts.Speed("gc", "simd", interval);
        Assert.Equal(VerdictOutcome.Inconclusive, verdict.Outcome);
    }

    [Fact]
    public void A_difference_of_equal_values_summed_in_another_order_is_exactly_zero()
    {
        Assert.NotEqual(0.0, 0.1 + 0.2 - 0.3); // 5.55e-17: the noise a bound showed
        Assert.Equal(0.0, Bootstrap.Difference(0.1 + 0.2, 0.3));
        Assert.Equal(-1e-6, Bootstrap.Difference(0.4, 0.400001), 12); // a real difference stays
        Assert.True(double.IsNaN(Bootstrap.Difference(double.NaN, 0.3)));

        // the same weighted sum in two orders: the paired interval is [0, 0], not ±5.55e-17
        var rng = new SplitMix64(5);
        var v = new double[50];
        for (var i = 0; i < v.Length; i++) v[i] = rng.NextDouble() / 10;
        double Forward(ReadOnlySpan<int> w) { var s = 0.0; for (var i = 0; i < v.Length; i++) s += w[i] * v[i]; return s; }
        double Backward(ReadOnlySpan<int> w) { var s = 0.0; for (var i = v.Length - 1; i >= 0; i--) s += w[i] * v[i]; return s; }
        var raw = Bootstrap.Paired(v.Length, w => Forward(w) - Backward(w));
        Assert.True(raw.Lower != 0 || raw.Upper != 0, "the fixture must show the noise without the fix");
        var interval = Bootstrap.PairedDifference(v.Length, Forward, Backward);
        Assert.Equal(new Interval(0, 0, 0), interval);
    }
}
