using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Greedy and Fast NMS over the workspace's score-ordered list: each candidate's IoU against a
/// whole vector of reference boxes at once (kept boxes for greedy, earlier boxes for Fast NMS),
/// leaving at the first vector with an IoU above τiou. Same decisions as <c>NmsScalar</c>: the
/// IoU is <see cref="SimdMath.Iou{TOps,TV}"/>, box a = the candidate.
/// </summary>
internal static class NmsSimd
{
    public static void Greedy<TOps, TV>(SimdWorkspace ws, float iouThreshold, int keepTopK, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        output.EnsureCapacity(Math.Min(ws.Count, keepTopK));
        ref var kx1 = ref MemoryMarshal.GetArrayDataReference(ws.KeptX1);
        ref var ky1 = ref MemoryMarshal.GetArrayDataReference(ws.KeptY1);
        ref var kx2 = ref MemoryMarshal.GetArrayDataReference(ws.KeptX2);
        ref var ky2 = ref MemoryMarshal.GetArrayDataReference(ws.KeptY2);
        ref var karea = ref MemoryMarshal.GetArrayDataReference(ws.KeptArea);
        var tau = TOps.Splat(iouThreshold);
        var kept = 0;
        for (var i = 0; i < ws.Count && kept < keepTopK; i++)
        {
            var ax1 = TOps.Splat(ws.X1[i]);
            var ay1 = TOps.Splat(ws.Y1[i]);
            var ax2 = TOps.Splat(ws.X2[i]);
            var ay2 = TOps.Splat(ws.Y2[i]);
            var aarea = TOps.Splat(ws.Area[i]);
            var suppressed = false;
            for (var k = 0; k < kept; k += TOps.Count)
            {
                var iou = SimdMath.Iou<TOps, TV>(ax1, ay1, ax2, ay2, aarea,
                    TOps.Load(ref kx1, k), TOps.Load(ref ky1, k), TOps.Load(ref kx2, k), TOps.Load(ref ky2, k), TOps.Load(ref karea, k));
                var over = TOps.GreaterThan(iou, tau);
                if (kept - k < TOps.Count) over = TOps.And(over, TOps.FirstLanes(kept - k));
                if (TOps.Any(over))
                {
                    suppressed = true;
                    break;
                }
            }
            if (suppressed) continue;
            ws.KeptX1[kept] = ws.X1[i];
            ws.KeptY1[kept] = ws.Y1[i];
            ws.KeptX2[kept] = ws.X2[i];
            ws.KeptY2[kept] = ws.Y2[i];
            ws.KeptArea[kept] = ws.Area[i];
            kept++;
            output.Add(ws.Flat[i], ws.Score[i], ws.X1[i], ws.Y1[i], ws.X2[i], ws.Y2[i]);
        }
    }

    public static void Fast<TOps, TV>(SimdWorkspace ws, float iouThreshold, int keepTopK, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        output.EnsureCapacity(Math.Min(ws.Count, keepTopK));
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(ws.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(ws.Y1);
        ref var x2 = ref MemoryMarshal.GetArrayDataReference(ws.X2);
        ref var y2 = ref MemoryMarshal.GetArrayDataReference(ws.Y2);
        ref var area = ref MemoryMarshal.GetArrayDataReference(ws.Area);
        var tau = TOps.Splat(iouThreshold);
        for (var j = 0; j < ws.Count && output.Count < keepTopK; j++)
        {
            var ax1 = TOps.Splat(ws.X1[j]);
            var ay1 = TOps.Splat(ws.Y1[j]);
            var ax2 = TOps.Splat(ws.X2[j]);
            var ay2 = TOps.Splat(ws.Y2[j]);
            var aarea = TOps.Splat(ws.Area[j]);
            var suppressed = false;
            for (var i = 0; i < j; i += TOps.Count)
            {
                var iou = SimdMath.Iou<TOps, TV>(ax1, ay1, ax2, ay2, aarea,
                    TOps.Load(ref x1, i), TOps.Load(ref y1, i), TOps.Load(ref x2, i), TOps.Load(ref y2, i), TOps.Load(ref area, i));
                var over = TOps.GreaterThan(iou, tau);
                if (j - i < TOps.Count) over = TOps.And(over, TOps.FirstLanes(j - i));
                if (TOps.Any(over))
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) output.Add(ws.Flat[j], ws.Score[j], ws.X1[j], ws.Y1[j], ws.X2[j], ws.Y2[j]);
        }
    }
}
