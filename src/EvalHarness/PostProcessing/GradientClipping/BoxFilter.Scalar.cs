using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The accumulation step <c>S̃ = B_r^k(S)</c>, the oracle. One pass is a horizontal then a
/// vertical 1-D normalised box filter of width n = 2r + 1 with edge clamp; each output is
/// <see cref="BoxFilter.At{TPlane}"/>, the one definition of its float order.
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalAt(ReadOnlySpan<float> src, int w, int y, int x, int radius) =>
        BoxFilter.At(new SpanPlane(src), y * w, 1, w, x, radius);

    public static void Vertical(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int radius)
    {
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++) dst[y * w + x] = VerticalAt(src, h, w, y, x, radius);
        }
    }

    /// <summary>One output of the vertical pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float VerticalAt(ReadOnlySpan<float> src, int h, int w, int y, int x, int radius) =>
        BoxFilter.At(new SpanPlane(src), x, w, h, y, radius);
}
