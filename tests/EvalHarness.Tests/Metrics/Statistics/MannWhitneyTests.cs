using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Tests.Metrics.Statistics;

public class MannWhitneyTests
{
    // Reference values: an independent plain-Python transcription of scipy's asymptotic
    // mannwhitneyu (midranks, tie + continuity correction, math.erfc); case "males/females" is the
    // example of scipy's documentation (U = 58, asymptotic p ≈ 0.1329).
    [Theory]
    [InlineData(new double[] { 19, 22, 16, 29, 24 }, new double[] { 20, 11, 17, 12 }, 17.0, 1.5921683328090657, 0.11134688653314048)]
    [InlineData(new double[] { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 }, new double[] { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 }, 58.0, 1.502688234205555, 0.13291945818531886)]
    [InlineData(new double[] { 1, 2, 2, 3, 3, 3, 4 }, new double[] { 3, 3, 4, 4, 5, 5, 6, 6 }, 6.0, -2.5503834829185426, 0.01076044857859623)]
    public void Matches_reference_values(double[] x, double[] y, double u, double z, double p)
    {
        var r = MannWhitney.Test(x, y);
        Assert.Equal(u, r.U, 12);
        Assert.Equal(z, r.Z, 12);
        Assert.Equal(p, r.PValue, 12);
    }

    [Fact]
    public void Is_symmetric_in_its_samples()
    {
        double[] x = [1, 5, 3, 8, 8, 2];
        double[] y = [4, 4, 9, 10, 7];
        var a = MannWhitney.Test(x, y);
        var b = MannWhitney.Test(y, x);
        Assert.Equal(x.Length * y.Length - a.U, b.U, 12);
        Assert.Equal(a.PValue, b.PValue, 14);
        Assert.Equal(-a.Z, b.Z, 14);
    }

    [Fact]
    public void Identical_constant_samples_carry_no_evidence()
    {
        var r = MannWhitney.Test([2.0, 2.0, 2.0], [2.0, 2.0]);
        Assert.Equal(1.0, r.PValue);
        Assert.Equal(0.0, r.Z);
    }

    [Fact]
    public void A_clear_shift_is_significant_and_no_shift_is_not()
    {
        var rng = new SplitMix64(21);
        var baseline = Enumerable.Range(0, 200).Select(_ => 1 + 0.2 * rng.NextDouble()).ToArray();
        var same = Enumerable.Range(0, 200).Select(_ => 1 + 0.2 * rng.NextDouble()).ToArray();
        var slower = same.Select(v => v * 1.3).ToArray();
        Assert.True(MannWhitney.Test(slower, baseline).PValue < 1e-10);
        Assert.True(MannWhitney.Test(same, baseline).PValue > 0.001);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.15865525393145707)]
    [InlineData(1.96, 0.024997895148220435)]
    [InlineData(3.0, 0.0013498980316300957)]
    [InlineData(4.0, 3.1671241833119965e-05)]
    [InlineData(6.0, 9.865876450377012e-10)]
    [InlineData(8.0, 6.220960574271819e-16)]
    [InlineData(-1.5, 0.9331927987311419)]
    public void Normal_upper_tail_matches_python_erfc(double z, double expected)
    {
        Assert.Equal(expected, NormalDistribution.UpperTail(z), expected * 1e-12 + 1e-300);
    }
}
