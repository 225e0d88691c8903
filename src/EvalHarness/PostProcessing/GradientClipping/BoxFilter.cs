using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// One output of a 1-D pass of the accumulation step <c>S̃ = B_r^k(S)</c>, written once for every
/// backend (the scalar oracle, the SIMD backend's edge cells and the box-filter kernels call it;
/// the SIMD interior is the same sum a vector at a time). Float order: a FRESH sum of the
/// n = 2r + 1 edge-clamped taps in tap order (offset −r first, +r last;
/// <c>acc = v[−r]; acc += v[−r+1]; …</c>), then divided by <c>(float)n</c>. A running sum would
/// be O(1) per cell but its rounding depends on the position along the row, which no vectorised
/// or parallel backend would reproduce.
/// </summary>
internal static class BoxFilter
{
    /// <summary>
    /// The pass output at position <paramref name="pos"/> of a line of <paramref name="length"/>
    /// values <c>values.At(start + i·stride)</c> (a row: stride 1; a column: stride w).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float At<TPlane>(in TPlane values, int start, int stride, int length, int pos, int radius)
        where TPlane : IFloatPlane, allows ref struct
    {
        var acc = values.At(start + Clamp(pos - radius, length) * stride);
        for (var t = -radius + 1; t <= radius; t++) acc += values.At(start + Clamp(pos + t, length) * stride);
        return acc / (float)(2 * radius + 1);
    }

    /// <summary>The edge clamp of the box filter and the gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Clamp(int i, int length) => i < 0 ? 0 : i >= length ? length - 1 : i;
}
