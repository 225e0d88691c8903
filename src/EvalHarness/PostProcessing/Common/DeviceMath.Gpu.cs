using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Float math shared by the kernels, in exactly the evaluation order of the scalar oracle
/// (<see cref="PostProcessing.BoxIou"/>, <see cref="PostProcessing.PeakRule"/>, the gradient step).
/// WHY the explicit <c>.rn</c> instructions: ILGPU 1.5.3 emits <c>mul.f32</c>/<c>add.f32</c> without a
/// rounding modifier, and ptxas is then free to contract <c>a*b+c</c> into one FMA (one rounding
/// instead of two), which would flip IoU decisions at the threshold. An explicit <c>mul.rn.f32</c>
/// is never contracted. On the CPU accelerator (.NET never contracts) the plain operator is used.
/// On OpenCL the plain operator is used too; see <c>GpuContext</c> (Backends/Gpu/GpuContext) for that caveat.
/// </summary>
internal static class DeviceMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Mul(float a, float b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("mul.rn.f32 %0, %1, %2;", out float r, a, b);
            return r;
        }
        return a * b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => a < b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Area(float x1, float y1, float x2, float y2) => Mul(Max(x2 - x1, 0f), Max(y2 - y1, 0f));

    /// <summary><see cref="PostProcessing.BoxIou.Iou(float,float,float,float,float,float,float,float)"/>: a is the candidate, b the reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Iou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2)
    {
        var areaA = Area(ax1, ay1, ax2, ay2);
        var areaB = Area(bx1, by1, bx2, by2);
        var iw = Max(Min(ax2, bx2) - Max(ax1, bx1), 0f);
        var ih = Max(Min(ay2, by2) - Max(ay1, by1), 0f);
        var inter = Mul(iw, ih);
        var union = (areaA + areaB) - inter;
        return union > 0f ? inter / union : 0f;
    }

    /// <summary>The spec's peak rule against a neighbour inside the grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Beats(float center, float neighbour, bool neighbourIsEarlier) =>
        neighbourIsEarlier ? center > neighbour : center >= neighbour;

    /// <summary>Peak test of cell (y, x) against (y+dy, x+dx) of an h × w plane starting at <paramref name="b"/>; outside counts as −∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BeatsNeighbour(ArrayView<float> plane, int b, int h, int w, int y, int x, int dy, int dx)
    {
        int ny = y + dy, nx = x + dx;
        if (ny < 0 || ny >= h || nx < 0 || nx >= w) return true;
        var earlier = dy < 0 || (dy == 0 && dx < 0);
        return Beats(plane[b + y * w + x], plane[b + ny * w + nx], earlier);
    }

    public static bool IsPeak8(ArrayView<float> plane, int b, int h, int w, int y, int x)
    {
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                if (dy == 0 && dx == 0) continue;
                if (!BeatsNeighbour(plane, b, h, w, y, x, dy, dx)) return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Sort key part of a score: 32 bits whose ascending order is the score's descending order.
    /// −0 is folded onto +0 (they compare equal, so the flat index decides, as in the oracle).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint DescendingScoreBits(float score)
    {
        var bits = score == 0f ? 0u : (uint)Interop.FloatAsInt(score);
        var ordered = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
        return ~ordered;
    }
}
