namespace EvalHarness.PostProcessing;

/// <summary>
/// The accumulation step <c>S̃ = B_r^k(S)</c>, the oracle. One pass is a horizontal then a
/// vertical 1-D normalised box filter of width n = 2r + 1 with edge clamp. Float order, fixed
/// for every backend so the SIMD and GPU results are bit-identical: each output is a FRESH sum
/// of its n taps in tap order (offset −r first, +r last; <c>acc = v[−r]; acc += v[−r+1]; …</c>),
/// then divided by <c>(float)n</c>. (A running sum would be O(1) per cell but its rounding depends
/// on the position along the row, which no vectorised or parallel backend would reproduce.)
/// </summary>
internal static class BoxFilterScalar
{
    /// <summary>Applies <paramref name="passes"/> passes in place on the <c>h × w</c> plane <paramref name="plane"/>.</summary>
    public static void Apply(Span<float> plane, Span<float> scratch, int h, int w, int radius, int passes)
    {
        for (var p = 0; p < passes; p++)
        {
            Horizontal(plane, scratch, h, w, radius);
            Vertical(scratch, plane, h, w, radius);
        }
    }

    public static void Horizontal(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int radius)
    {
        var n = (float)(2 * radius + 1);
        for (var y = 0; y < h; y++)
        {
            var row = src.Slice(y * w, w);
            for (var x = 0; x < w; x++)
            {
                var acc = row[Clamp(x - radius, w)];
                for (var t = -radius + 1; t <= radius; t++) acc += row[Clamp(x + t, w)];
                dst[y * w + x] = acc / n;
            }
        }
    }

    public static void Vertical(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int radius)
    {
        var n = (float)(2 * radius + 1);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var acc = src[Clamp(y - radius, h) * w + x];
                for (var t = -radius + 1; t <= radius; t++) acc += src[Clamp(y + t, h) * w + x];
                dst[y * w + x] = acc / n;
            }
        }
    }

    public static int Clamp(int i, int length) => i < 0 ? 0 : i >= length ? length - 1 : i;
}
