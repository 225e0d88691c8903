using System.Buffers;

namespace EvalHarness.Metrics.Statistics;

/// <summary>Result of a two-sided Mann–Whitney U test; <see cref="U"/> is the statistic of the first sample.</summary>
internal readonly record struct MannWhitneyResult(double U, double Z, double PValue);

/// <summary>
/// Two-sided Mann–Whitney U test with the normal approximation, tie correction and continuity
/// correction, as <c>scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic',
/// use_continuity=True)</c>: midranks over the pooled sample; <c>U1 = R1 − n1(n1+1)/2</c>;
/// <c>σ² = n1·n2/12·((n+1) − Σ(t³−t)/(n(n−1)))</c>; <c>z = (max(U1, U2) − n1·n2/2 − ½)/σ</c>;
/// <c>p = min(1, 2·P(Z &gt; z))</c>. <see cref="MannWhitneyResult.Z"/> carries the sign of
/// <c>U1 − n1·n2/2</c> (positive: the first sample tends to be larger). With no variation at
/// all (σ = 0) the test has no evidence: z = 0, p = 1.
/// </summary>
internal static class MannWhitney
{
    public static MannWhitneyResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.IsEmpty || y.IsEmpty) throw new ArgumentException("both samples need at least one value");
        var n1 = x.Length;
        var n2 = y.Length;
        var n = n1 + n2;
        var pooled = ArrayPool<(double Value, bool First)>.Shared.Rent(n);
        try
        {
            var items = pooled.AsSpan(0, n);
            for (var i = 0; i < n1; i++)
            {
                if (double.IsNaN(x[i])) throw new ArgumentException("NaN in the first sample");
                items[i] = (x[i], true);
            }
            for (var i = 0; i < n2; i++)
            {
                if (double.IsNaN(y[i])) throw new ArgumentException("NaN in the second sample");
                items[n1 + i] = (y[i], false);
            }
            items.Sort(static (a, b) => a.Value.CompareTo(b.Value));

            double rankSumFirst = 0;
            double tieTerm = 0;
            var start = 0;
            while (start < n)
            {
                var end = start + 1;
                while (end < n && items[end].Value == items[start].Value) end++;
                var t = end - start;
                var midrank = (start + 1 + end) / 2.0; // mean of ranks start+1 … end
                for (var k = start; k < end; k++)
                {
                    if (items[k].First) rankSumFirst += midrank;
                }
                tieTerm += (double)t * t * t - t;
                start = end;
            }

            var u1 = rankSumFirst - n1 * (n1 + 1) / 2.0;
            var u2 = (double)n1 * n2 - u1;
            var mu = n1 * (double)n2 / 2.0;
            var variance = n1 * (double)n2 / 12.0 * ((n + 1) - tieTerm / ((double)n * (n - 1)));
            if (!(variance > 0)) return new MannWhitneyResult(u1, 0.0, 1.0);
            var sigma = Math.Sqrt(variance);
            var zAbs = (Math.Max(u1, u2) - mu - 0.5) / sigma;
            var p = Math.Min(1.0, 2.0 * NormalDistribution.UpperTail(zAbs));
            var z = u1 >= mu ? zAbs : -zAbs;
            return new MannWhitneyResult(u1, z, p);
        }
        finally
        {
            ArrayPool<(double, bool)>.Shared.Return(pooled);
        }
    }
}
