using System.Numerics;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Weighted NMS with the cluster test vectorised: for each top (the next entry not yet removed,
/// in score order) the IoU of all later entries against it at once; members are accumulated
/// per lane in list order, exactly the float order of <c>WeightedNmsScalar</c>, and marked removed
/// by a NaN score (real scores are never NaN).
/// </summary>
internal static class WeightedNmsSimd
{
    public static void Run<TOps, TV>(SimdWorkspace ws, float iouThreshold, int keepTopK, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var n = ws.Count;
        output.EnsureCapacity(Math.Min(n, keepTopK));
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(ws.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(ws.Y1);
        ref var x2 = ref MemoryMarshal.GetArrayDataReference(ws.X2);
        ref var y2 = ref MemoryMarshal.GetArrayDataReference(ws.Y2);
        ref var area = ref MemoryMarshal.GetArrayDataReference(ws.Area);
        ref var score = ref MemoryMarshal.GetArrayDataReference(ws.Score);
        var tau = TOps.Splat(iouThreshold);

        for (var top = 0; top < n && output.Count < keepTopK; top++)
        {
            var st = ws.Score[top];
            if (float.IsNaN(st)) continue;
            var bx1 = TOps.Splat(ws.X1[top]);
            var by1 = TOps.Splat(ws.Y1[top]);
            var bx2 = TOps.Splat(ws.X2[top]);
            var by2 = TOps.Splat(ws.Y2[top]);
            var barea = TOps.Splat(ws.Area[top]);
            var w = st;
            var sx1 = st * ws.X1[top];
            var sy1 = st * ws.Y1[top];
            var sx2 = st * ws.X2[top];
            var sy2 = st * ws.Y2[top];
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
                    var p = j + BitOperations.TrailingZeroCount(bits);
                    var sp = ws.Score[p];
                    w += sp;
                    sx1 += sp * ws.X1[p];
                    sy1 += sp * ws.Y1[p];
                    sx2 += sp * ws.X2[p];
                    sy2 += sp * ws.Y2[p];
                    ws.Score[p] = float.NaN;
                    bits &= bits - 1;
                }
            }
            if (w > 0f) output.Add(ws.Flat[top], st, sx1 / w, sy1 / w, sx2 / w, sy2 / w);
            else output.Add(ws.Flat[top], st, ws.X1[top], ws.Y1[top], ws.X2[top], ws.Y2[top]);
        }
    }
}
