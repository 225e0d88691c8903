using System.Buffers;

namespace EvalHarness.Metrics.Statistics;

/// <summary>
/// Percentiles by linear interpolation between closest ranks: numpy's default
/// (<c>method='linear'</c>, Hyndman–Fan type 7). For sorted <c>x[0..n-1]</c> and a fraction
/// <c>p</c> in [0, 1]: <c>h = (n − 1)·p</c>, <c>i = ⌊h⌋</c>, result <c>x[i] + (h − i)·(x[i+1] − x[i])</c>.
/// The interpolation is written as numpy's <c>_lerp</c> (from the upper end when the weight is
/// ≥ 0.5) so results agree with <c>numpy.percentile</c> to the last bit.
/// </summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="fraction"/> quantile (0.5 = median) of already sorted values.</summary>
    public static double OfSorted(ReadOnlySpan<double> sorted, double fraction)
    {
        if (sorted.IsEmpty) throw new ArgumentException("no values", nameof(sorted));
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in [0, 1]");
        var h = (sorted.Length - 1) * fraction;
        var lower = (int)Math.Floor(h);
        if (lower >= sorted.Length - 1) return sorted[^1];
        var t = h - lower;
        return Lerp(sorted[lower], sorted[lower + 1], t);
    }

    /// <summary>The quantile of unsorted values; copies them into a pooled buffer, the input is left untouched.</summary>
    public static double Of(ReadOnlySpan<double> values, double fraction)
    {
        var rented = ArrayPool<double>.Shared.Rent(Math.Max(1, values.Length));
        try
        {
            var buffer = rented.AsSpan(0, values.Length);
            values.CopyTo(buffer);
            buffer.Sort();
            return OfSorted(buffer, fraction);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    public static double Median(ReadOnlySpan<double> values) => Of(values, 0.5);

    /// <summary>
    /// Same value as <see cref="OfSorted"/> on the sorted values, found by quickselect in O(n)
    /// instead of sorting; <paramref name="values"/> is reordered. The bootstrap calls it once per
    /// resample, where a full sort would dominate.
    /// </summary>
    public static double OfUnsortedInPlace(Span<double> values, double fraction)
    {
        if (values.IsEmpty) throw new ArgumentException("no values", nameof(values));
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in [0, 1]");
        var h = (values.Length - 1) * fraction;
        var lower = (int)Math.Floor(h);
        var a = Select(values, lower);
        if (lower >= values.Length - 1) return a;
        // after Select everything right of `lower` is ≥ a, so the next order statistic is their minimum
        var b = double.PositiveInfinity;
        foreach (var v in values[(lower + 1)..])
        {
            if (v < b) b = v;
        }
        return Lerp(a, b, h - lower);
    }

    /// <summary>Moves the k-th smallest value to index k, smaller ones left of it, larger ones right (Hoare quickselect, median-of-three pivot).</summary>
    internal static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            if (hi - lo < 16)
            {
                a[lo..(hi + 1)].Sort();
                return a[k];
            }
            var mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            var pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    // numpy's _lerp: a + (b−a)·t, but from b when t ≥ 0.5, which keeps the result inside [a, b] and exact at t = 1.
    private static double Lerp(double a, double b, double t)
    {
        var diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }
}
