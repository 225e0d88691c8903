using CsCheck;
using EvalHarness.Metrics;

namespace EvalHarness.Tests.Metrics;

public sealed class NumpyReductionTests
{
    /// <summary>
    /// numpy's <c>pairwise_sum</c> written independently from its C source (strided pointer walk,
    /// explicit accumulator array), plus the reduce loop's identity 0.0 and 8192-element buffers.
    /// </summary>
    private static double ReferenceNumpySum(double[] a)
    {
        double Pairwise(int start, int n)
        {
            if (n < 8)
            {
                var res = 0.0;
                for (var i = 0; i < n; i++) res += a[start + i];
                return res;
            }
            if (n <= 128)
            {
                var r = new double[8];
                for (var j = 0; j < 8; j++) r[j] = a[start + j];
                int i;
                for (i = 8; i < n - (n % 8); i += 8)
                {
                    for (var j = 0; j < 8; j++) r[j] += a[start + i + j];
                }
                var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
                for (; i < n; i++) res += a[start + i];
                return res;
            }
            var n2 = n / 2;
            n2 -= n2 % 8;
            return Pairwise(start, n2) + Pairwise(start + n2, n - n2);
        }

        var total = 0.0;
        for (var s = 0; s < a.Length; s += 8192) total += Pairwise(s, Math.Min(8192, a.Length - s));
        return total;
    }

    [Fact]
    public void Matches_the_reference_for_every_length_up_to_1100_and_beyond_one_buffer()
    {
        var random = new Random(7);
        foreach (var n in Enumerable.Range(0, 1101).Concat([8191, 8192, 8193, 20000]))
        {
            var values = new double[n];
            for (var i = 0; i < n; i++) values[i] = (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-8, 9));
            Assert.Equal(BitConverter.DoubleToInt64Bits(ReferenceNumpySum(values)), BitConverter.DoubleToInt64Bits(NumpyReduction.Sum(values)));
        }
    }

    [Fact]
    public void Matches_the_reference_on_random_arrays() =>
        Gen.Double[-1e6, 1e6].Array[0, 3000].Sample(values =>
            Assert.Equal(BitConverter.DoubleToInt64Bits(ReferenceNumpySum(values)), BitConverter.DoubleToInt64Bits(NumpyReduction.Sum(values))),
            iter: 300);

    [Fact]
    public void Groups_eight_accumulators_unlike_a_left_to_right_sum()
    {
        // Left to right, 1e16 + 1 loses the 1s; numpy's accumulators r1..r7 keep them apart
        // and add them pairwise: ((1e16 + 1) + (1 + 1)) + ((1 + 1) + (1 + 1)) = 1e16 + 8.
        double[] values = [1e16, 1, 1, 1, 1, 1, 1, 1, 1];
        var leftToRight = values.Aggregate(0.0, (s, v) => s + v);
        Assert.Equal(1e16, leftToRight);
        Assert.Equal(1e16 + 8, NumpyReduction.Sum(values));
    }

    [Fact]
    public void Short_arrays_add_left_to_right_from_zero()
    {
        double[] values = [0.1, 0.2, 0.3];
        Assert.Equal(0.0 + 0.1 + 0.2 + 0.3, NumpyReduction.Sum(values));
        Assert.Equal(0.0, NumpyReduction.Sum([]));
    }
}
