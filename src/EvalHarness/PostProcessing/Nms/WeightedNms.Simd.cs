using System.Numerics;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Weighted NMS with the cluster test vectorised: for each top (the next entry not yet removed,
/// in score order) the IoU of all later entries against it at once; members are accumulated
/// per lane in list order into the shared <see cref="ClusterSum{TOps}"/>, and marked removed
/// by a NaN score (real scores are never NaN).
/// </summary>
internal static class WeightedNmsSimd
{
    public static void Run<TOps, TV>(SortedCandidates candidates, in NmsParameters p, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var n = candidates.Count;
        output.EnsureCapacity(Math.Min(n, p.KeepTopK));
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(candidates.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(candidates.Y1);
        ref var x2 = ref MemoryMarshal.GetArrayDataReference(candidates.X2);
        ref var y2 = ref MemoryMarshal.GetArrayDataReference(candidates.Y2);
        ref var area = ref MemoryMarshal.GetArrayDataReference(candidates.Area);
        ref var score = ref MemoryMarshal.GetArrayDataReference(candidates.Score);
        var tau = TOps.Splat(p.IouThreshold);

        for (var top = 0; top < n && output.Count < p.KeepTopK; top++)
        {
            var st = candidates.Score[top];
            if (float.IsNaN(st)) continue;
            var bx1 = TOps.Splat(candidates.X1[top]);
            var by1 = TOps.Splat(candidates.Y1[top]);
            var bx2 = TOps.Splat(candidates.X2[top]);
            var by2 = TOps.Splat(candidates.Y2[top]);
            var barea = TOps.Splat(candidates.Area[top]);
            var cluster = new ClusterSum<CpuFloatOps>(st, candidates.X1[top], candidates.Y1[top], candidates.X2[top], candidates.Y2[top]);
            for (var j = top + 1; j < n; j += TOps.Count)
            {
                var iou = SimdMath.Iou<TOps, TV>(TOps.Load(ref x1, j), TOps.Load(ref y1, j), TOps.Load(ref x2, j), TOps.Load(ref y2, j),
                                                 TOps.Load(ref area, j), bx1, by1, bx2, by2, barea);
                var s = TOps.Load(ref score, j);
                var member = TOps.And(TOps.GreaterThan(iou, tau), TOps.Equal(s, s));
                if (n - j < TOps.Count) member = TOps.And(member, TOps.FirstLanes(n - j));
                var bits = TOps.Bits(member);
                while (bits != 0)
                {
                    var q = j + BitOperations.TrailingZeroCount(bits);
                    cluster.Add(candidates.Score[q], candidates.X1[q], candidates.Y1[q], candidates.X2[q], candidates.Y2[q]);
                    candidates.Score[q] = float.NaN;
                    bits &= bits - 1;
                }
            }
            output.Add(candidates.Flat[top], st, cluster.X1, cluster.Y1, cluster.X2, cluster.Y2);
        }
    }
}
