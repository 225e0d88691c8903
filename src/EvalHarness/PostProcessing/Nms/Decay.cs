using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The soft-NMS score decays and weighted NMS's cluster sum, written once for every backend (the
/// scalar oracle and the kernels call them with their <see cref="IFloatOps"/>; the SIMD backend
/// runs the linear decay in-vector with the same two operations and calls these per lane).
/// </summary>
internal static class Decay
{
    /// <summary><c>s·(1 − IoU)</c> (applied where IoU &gt; τiou).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Linear<TOps>(float score, float iou) where TOps : struct, IFloatOps => TOps.Mul(score, 1f - iou);

    /// <summary><c>s·exp(−IoU²/σ)</c> (applied to every overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Gaussian<TOps>(float score, float iou, float sigma) where TOps : struct, IFloatOps =>
        TOps.Mul(score, TOps.Exp(-TOps.Mul(iou, iou) / sigma));
}

/// <summary>
/// Weighted NMS's blend of one cluster: float32 sums in sorted order starting with the top
/// (<c>w += s; sx1 += s·x1; …</c>), then <c>x1 = sx1 / w</c>; a cluster whose weights sum to 0 (all
/// scores 0, possible only with τs = 0) keeps the top's own box.
/// </summary>
internal struct ClusterSum<TOps> where TOps : struct, IFloatOps
{
    private float _w, _sx1, _sy1, _sx2, _sy2;
    private readonly float _x1, _y1, _x2, _y2;

    /// <summary>A cluster holding only its top.</summary>
    public ClusterSum(float score, float x1, float y1, float x2, float y2)
    {
        _x1 = x1;
        _y1 = y1;
        _x2 = x2;
        _y2 = y2;
        _w = score;
        _sx1 = TOps.Mul(score, x1);
        _sy1 = TOps.Mul(score, y1);
        _sx2 = TOps.Mul(score, x2);
        _sy2 = TOps.Mul(score, y2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(float score, float x1, float y1, float x2, float y2)
    {
        _w += score;
        _sx1 += TOps.Mul(score, x1);
        _sy1 += TOps.Mul(score, y1);
        _sx2 += TOps.Mul(score, x2);
        _sy2 += TOps.Mul(score, y2);
    }

    public readonly float X1 => _w > 0f ? _sx1 / _w : _x1;
    public readonly float Y1 => _w > 0f ? _sy1 / _w : _y1;
    public readonly float X2 => _w > 0f ? _sx2 / _w : _x2;
    public readonly float Y2 => _w > 0f ? _sy2 / _w : _y2;
}
