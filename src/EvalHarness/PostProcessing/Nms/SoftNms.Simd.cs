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
    public static void Run<TOps, TV>(SortedCandidates candidates, in NmsParameters p, bool gaussian, SimdNmsScratch scratch, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var n = candidates.Count;
        if (n == 0) return;
        output.EnsureCapacity(Math.Min(n, p.KeepTopK));

        // Every entry starts alive (selection took scores ≥ τs), so the first maximum is the first score.
        var max = candidates.Score[0];
        while (output.Count < p.KeepTopK)
        {
            var top = FindTop<TOps, TV>(candidates, n, max);
            if (top < 0) break;
            output.Add(candidates.Flat[top], candidates.Score[top], candidates.X1[top], candidates.Y1[top], candidates.X2[top], candidates.Y2[top]);
            candidates.Score[top] = float.NaN;

            var alive = Decay<TOps, TV>(candidates, scratch, n, top, gaussian, p, out max);
            if (alive == 0) break;
            if (alive * 2 < n) n = Compact(candidates, n, p.ScoreThreshold);
        }
    }

    /// <summary>The position of the alive entry with score <paramref name="max"/> and the smallest flat index.</summary>
    private static int FindTop<TOps, TV>(SortedCandidates candidates, int n, float max) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var score = ref MemoryMarshal.GetArrayDataReference(candidates.Score);
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
                if (top < 0 || candidates.Flat[p] < candidates.Flat[top]) top = p;
                bits &= bits - 1;
            }
        }
        return top;
    }

    /// <summary>Decays every entry against the taken box; returns the alive count and their maximum score.</summary>
    private static int Decay<TOps, TV>(SortedCandidates candidates, SimdNmsScratch scratch, int n, int top, bool gaussian,
                                       in NmsParameters p, out float max)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(candidates.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(candidates.Y1);
        ref var x2 = ref MemoryMarshal.GetArrayDataReference(candidates.X2);
        ref var y2 = ref MemoryMarshal.GetArrayDataReference(candidates.Y2);
        ref var area = ref MemoryMarshal.GetArrayDataReference(candidates.Area);
        ref var score = ref MemoryMarshal.GetArrayDataReference(candidates.Score);
        ref var lanes = ref MemoryMarshal.GetArrayDataReference(scratch.Lanes);
        var bx1 = TOps.Splat(candidates.X1[top]);
        var by1 = TOps.Splat(candidates.Y1[top]);
        var bx2 = TOps.Splat(candidates.X2[top]);
        var by2 = TOps.Splat(candidates.Y2[top]);
        var barea = TOps.Splat(candidates.Area[top]);
        var tau = TOps.Splat(p.IouThreshold);
        var tauS = TOps.Splat(p.ScoreThreshold);
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
                        candidates.Score[j + l] = PostProcessing.Decay.Gaussian<CpuFloatOps>(candidates.Score[j + l], scratch.Lanes[l], p.Sigma);
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
    private static int Compact(SortedCandidates candidates, int n, float scoreThreshold)
    {
        var w = 0;
        for (var j = 0; j < n; j++)
        {
            if (!(candidates.Score[j] >= scoreThreshold)) continue;
            candidates.X1[w] = candidates.X1[j];
            candidates.Y1[w] = candidates.Y1[j];
            candidates.X2[w] = candidates.X2[j];
            candidates.Y2[w] = candidates.Y2[j];
            candidates.Area[w] = candidates.Area[j];
            candidates.Score[w] = candidates.Score[j];
            candidates.Flat[w] = candidates.Flat[j];
            w++;
        }
        return w;
    }
}
