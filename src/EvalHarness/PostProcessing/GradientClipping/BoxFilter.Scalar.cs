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
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++) dst[y * w + x] = HorizontalAt(src, w, y, x, radius);
        }
    }

    /// <summary>One output of the horizontal pass.</summary>
    public static float HorizontalAt(ReadOnlySpan<float> src, int w, int y, int x, int radius)
    {
        var row = src.Slice(y * w, w);
        var acc = row[Clamp(x - radius, w)];
        for (var t = -radius + 1; t <= radius; t++) acc += row[Clamp(x + t, w)];
        return acc / (float)(2 * radius + 1);
    }

    public static void Vertical(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int radius)
    {
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++) dst[y * w + x] = VerticalAt(src, h, w, y, x, radius);
        }
    }

    /// <summary>One output of the vertical pass.</summary>
    public static float VerticalAt(ReadOnlySpan<float> src, int h, int w, int y, int x, int radius)
    {
        var acc = src[Clamp(y - radius, h) * w + x];
        for (var t = -radius + 1; t <= radius; t++) acc += src[Clamp(y + t, h) * w + x];
        return acc / (float)(2 * radius + 1);
    }

    public static int Clamp(int i, int length) => i < 0 ? 0 : i >= length ? length - 1 : i;
}
