using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The suppression IoU of the spec, with ONE fixed float32 evaluation order that every backend
/// (scalar, SIMD, GPU) reproduces, so their decisions agree bit for bit:
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
public static class BoxIou
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => a < b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Area(float x1, float y1, float x2, float y2) => Max(x2 - x1, 0f) * Max(y2 - y1, 0f);

    /// <summary>IoU of box a and box b given their <see cref="Area"/>s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Iou(float ax1, float ay1, float ax2, float ay2, float areaA,
                            float bx1, float by1, float bx2, float by2, float areaB)
    {
        var iw = Max(Min(ax2, bx2) - Max(ax1, bx1), 0f);
        var ih = Max(Min(ay2, by2) - Max(ay1, by1), 0f);
        var inter = iw * ih;
        var union = (areaA + areaB) - inter;
        return union > 0f ? inter / union : 0f;
    }

    /// <summary>IoU of two boxes, computing both areas.</summary>
    public static float Iou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2) =>
        Iou(ax1, ay1, ax2, ay2, Area(ax1, ay1, ax2, ay2), bx1, by1, bx2, by2, Area(bx1, by1, bx2, by2));
}
