using System.Numerics;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Soft-NMS with vectorised decay passes. A candidate is alive while its score is ≥ τs; the taken
/// one is marked NaN (never ≥ τs). Decaying a dead score only lowers it further, so dead lanes
/// need no masking in the decay itself. Each pass also finds the next maximum; the next top is
/// the alive entry with that score and the smallest flat index (the spec's tie-break). Dead
/// entries are compacted away once they are half the list. Scores: linear
/// <see cref="PostProcessing.Decay.Linear{TOps}"/> in-vector (same float ops), gaussian <see cref="PostProcessing.Decay.Gaussian{TOps}"/> per lane
/// only where IoU ≠ 0 (elsewhere the factor is exactly 1), so results equal the scalar oracle bit for bit.
/// </summary>
internal static class SoftNmsSimd
{
    public static void Run<TOps, TV>(SimdWorkspace ws, bool gaussian, float iouThreshold, float sigma, float scoreThreshold,
                                     int keepTopK, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var n = ws.Count;
        if (n == 0) return;
        output.EnsureCapacity(Math.Min(n, keepTopK));

        // Every entry starts alive (selection took scores ≥ τs), so the first maximum is the first score.
        var max = ws.Score[0];
        while (output.Count < keepTopK)
        {
            var top = FindTop<TOps, TV>(ws, n, max);
            if (top < 0) break;
            output.Add(ws.Flat[top], ws.Score[top], ws.X1[top], ws.Y1[top], ws.X2[top], ws.Y2[top]);
            ws.Score[top] = float.NaN;

            var alive = Decay<TOps, TV>(ws, n, top, gaussian, iouThreshold, sigma, scoreThreshold, out max);
            if (alive == 0) break;
            if (alive * 2 < n) n = Compact(ws, n, scoreThreshold);
        }
    }

    /// <summary>The position of the alive entry with score <paramref name="max"/> and the smallest flat index.</summary>
    private static int FindTop<TOps, TV>(SimdWorkspace ws, int n, float max) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var score = ref MemoryMarshal.GetArrayDataReference(ws.Score);
        var target = TOps.Splat(max);
        var top = -1;
        for (var j = 0; j < n; j += TOps.Count)
        {
            var hit = TOps.Equal(TOps.Load(ref score, j), target);
            if (n - j < TOps.Count) hit = TOps.And(hit, TOps.FirstLanes(n - j));
            var bits = TOps.Bits(hit);
            while (bits != 0)
            {
                var p = j + BitOperations.TrailingZeroCount(bits);
                if (top < 0 || ws.Flat[p] < ws.Flat[top]) top = p;
                bits &= bits - 1;
            }
        }
        return top;
    }

    /// <summary>Decays every entry against the taken box; returns the alive count and their maximum score.</summary>
    private static int Decay<TOps, TV>(SimdWorkspace ws, int n, int top, bool gaussian, float iouThreshold, float sigma,
                                       float scoreThreshold, out float max)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(ws.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(ws.Y1);
        ref var x2 = ref MemoryMarshal.GetArrayDataReference(ws.X2);
        ref var y2 = ref MemoryMarshal.GetArrayDataReference(ws.Y2);
        ref var area = ref MemoryMarshal.GetArrayDataReference(ws.Area);
        ref var score = ref MemoryMarshal.GetArrayDataReference(ws.Score);
        ref var lanes = ref MemoryMarshal.GetArrayDataReference(ws.Lanes);
        var bx1 = TOps.Splat(ws.X1[top]);
        var by1 = TOps.Splat(ws.Y1[top]);
        var bx2 = TOps.Splat(ws.X2[top]);
        var by2 = TOps.Splat(ws.Y2[top]);
        var barea = TOps.Splat(ws.Area[top]);
        var tau = TOps.Splat(iouThreshold);
        var tauS = TOps.Splat(scoreThreshold);
        var one = TOps.Splat(1f);
        var zero = TOps.Splat(0f);
        var best = TOps.Splat(float.NegativeInfinity);
        var alive = 0;
        for (var j = 0; j < n; j += TOps.Count)
        {
            var iou = SimdMath.Iou<TOps, TV>(TOps.Load(ref x1, j), TOps.Load(ref y1, j), TOps.Load(ref x2, j), TOps.Load(ref y2, j),
                                             TOps.Load(ref area, j), bx1, by1, bx2, by2, barea);
            var s = TOps.Load(ref score, j);
            var valid = n - j < TOps.Count ? TOps.FirstLanes(n - j) : TOps.Equal(zero, zero);
            if (gaussian)
            {
                var bits = TOps.Bits(TOps.And(valid, TOps.And(TOps.NotEqual(iou, zero), TOps.GreaterThanOrEqual(s, tauS))));
                if (bits != 0)
                {
                    TOps.Store(iou, ref lanes, 0);
                    while (bits != 0)
                    {
                        var l = BitOperations.TrailingZeroCount(bits);
                        ws.Score[j + l] = PostProcessing.Decay.Gaussian<CpuFloatOps>(ws.Score[j + l], ws.Lanes[l], sigma);
                        bits &= bits - 1;
                    }
                    s = TOps.Load(ref score, j);
                }
            }
            else
            {
                s = TOps.Select(TOps.GreaterThan(iou, tau), TOps.Multiply(s, TOps.Subtract(one, iou)), s);
                TOps.Store(s, ref score, j);
            }
            var live = TOps.And(valid, TOps.GreaterThanOrEqual(s, tauS));
            alive += BitOperations.PopCount(TOps.Bits(live));
            best = TOps.Select(TOps.And(live, TOps.GreaterThan(s, best)), s, best);
        }
        max = TOps.MaxAcross(best);
        return alive;
    }

    /// <summary>Moves the alive entries to the front (order is irrelevant: ties go by flat index).</summary>
    private static int Compact(SimdWorkspace ws, int n, float scoreThreshold)
    {
        var w = 0;
        for (var j = 0; j < n; j++)
        {
            if (!(ws.Score[j] >= scoreThreshold)) continue;
            ws.X1[w] = ws.X1[j];
            ws.Y1[w] = ws.Y1[j];
            ws.X2[w] = ws.X2[j];
            ws.Y2[w] = ws.Y2[j];
            ws.Area[w] = ws.Area[j];
            ws.Score[w] = ws.Score[j];
            ws.Flat[w] = ws.Flat[j];
            w++;
        }
        return w;
    }
}
