namespace EvalHarness.Metrics;

/// <summary>
/// Float64 reductions in exactly numpy's order, so sums match the python port bit for bit.
/// </summary>
internal static class NumpyReduction
{
    /// <summary>numpy's <c>PW_BLOCKSIZE</c>: below it the 8-accumulator loop runs, above it the range is halved.</summary>
    private const int BlockSize = 128;

    /// <summary>numpy's reduce loop is fed at most one buffer of this many elements at a time.</summary>
    private const int ReduceBufferSize = 8192;

    /// <summary>
    /// <c>np.sum</c> of a contiguous float64 array: the identity 0.0 plus numpy's pairwise sum of
    /// each 8192-element buffer in turn (<c>*iop1 += pairwise_sum(...)</c>).
    /// </summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        var result = 0.0;
        for (var start = 0; start < values.Length; start += ReduceBufferSize)
        {
            result += PairwiseSum(values.Slice(start, Math.Min(ReduceBufferSize, values.Length - start)));
        }
        return result;
    }

    /// <summary>numpy's <c>pairwise_sum_DOUBLE</c> (loops_utils.h.src), unit stride.</summary>
    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var res = 0.0;
            for (var i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= BlockSize)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += a[i + 0];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }
            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[i];
            return res;
        }
        var n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }
}
