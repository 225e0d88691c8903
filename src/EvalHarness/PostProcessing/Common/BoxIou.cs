using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The suppression IoU of the spec, written once for every backend (the scalar oracle and the
/// kernels call these with their <see cref="IFloatOps"/>; the SIMD backend's
/// <c>SimdMath.Iou</c> is this order lane by lane), in ONE fixed float32 evaluation order:
/// <code>
/// area  = max0(x2 − x1) · max0(y2 − y1)
/// iw    = max0(min(ax2, bx2) − max(ax1, bx1));   ih likewise with y
/// inter = iw · ih
/// union = (areaA + areaB) − inter
/// iou   = union &gt; 0 ? inter / union : 0
/// </code>
/// <c>max(a, b)</c> is <c>a &gt; b ? a : b</c> and <c>min(a, b)</c> is <c>a &lt; b ? a : b</c> (the
/// SIMD compare-and-select is the same rule; IEEE max/min would differ only on signed zeros).
/// Every product and sum is a separate rounding: no fused multiply-add, in any backend.
/// Boxes are expected finite; NaN coordinates give unspecified (but per-backend deterministic) results.
/// </summary>
internal static class BoxIou
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => a < b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Area<TOps>(float x1, float y1, float x2, float y2) where TOps : struct, IFloatOps =>
        TOps.Mul(Max(x2 - x1, 0f), Max(y2 - y1, 0f));

    /// <summary>IoU of box a and box b given their <see cref="Area{TOps}"/>s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Iou<TOps>(float ax1, float ay1, float ax2, float ay2, float areaA,
                                     float bx1, float by1, float bx2, float by2, float areaB) where TOps : struct, IFloatOps
    {
        var iw = Max(Min(ax2, bx2) - Max(ax1, bx1), 0f);
        var ih = Max(Min(ay2, by2) - Max(ay1, by1), 0f);
        var inter = TOps.Mul(iw, ih);
        var union = (areaA + areaB) - inter;
        return union > 0f ? inter / union : 0f;
    }

    /// <summary>IoU of two boxes, computing both areas; every backend passes the candidate as a and the reference as b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Iou<TOps>(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2)
        where TOps : struct, IFloatOps =>
        Iou<TOps>(ax1, ay1, ax2, ay2, Area<TOps>(ax1, ay1, ax2, ay2), bx1, by1, bx2, by2, Area<TOps>(bx1, by1, bx2, by2));

    /// <summary>The CPU's <see cref="Area{TOps}"/>.</summary>
    public static float Area(float x1, float y1, float x2, float y2) => Area<CpuFloatOps>(x1, y1, x2, y2);

    /// <summary>The CPU's <see cref="Iou{TOps}(float,float,float,float,float,float,float,float)"/>.</summary>
    public static float Iou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2) =>
        Iou<CpuFloatOps>(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
}
