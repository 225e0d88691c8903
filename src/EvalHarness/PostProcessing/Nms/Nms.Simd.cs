using System.Runtime.CompilerServices;
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
        var kept = 0;
        for (var i = 0; i < ws.Count && kept < keepTopK; i++)
        {
            if (OverlapsAny<TOps, TV>(ws, i, ws.KeptX1, ws.KeptY1, ws.KeptX2, ws.KeptY2, ws.KeptArea, kept, iouThreshold)) continue;
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
        for (var j = 0; j < ws.Count && output.Count < keepTopK; j++)
        {
            if (OverlapsAny<TOps, TV>(ws, j, ws.X1, ws.Y1, ws.X2, ws.Y2, ws.Area, j, iouThreshold)) continue;
            output.Add(ws.Flat[j], ws.Score[j], ws.X1[j], ws.Y1[j], ws.X2[j], ws.Y2[j]);
        }
    }

    /// <summary>
    /// Is the IoU of entrant <paramref name="i"/> (box a) with any of the first <paramref name="count"/>
    /// reference boxes (box b) above τiou? Leaves at the first vector that has one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool OverlapsAny<TOps, TV>(SimdWorkspace ws, int i, float[] x1, float[] y1, float[] x2, float[] y2, float[] area,
                                              int count, float iouThreshold)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var rx1 = ref MemoryMarshal.GetArrayDataReference(x1);
        ref var ry1 = ref MemoryMarshal.GetArrayDataReference(y1);
        ref var rx2 = ref MemoryMarshal.GetArrayDataReference(x2);
        ref var ry2 = ref MemoryMarshal.GetArrayDataReference(y2);
        ref var rarea = ref MemoryMarshal.GetArrayDataReference(area);
        var ax1 = TOps.Splat(ws.X1[i]);
        var ay1 = TOps.Splat(ws.Y1[i]);
        var ax2 = TOps.Splat(ws.X2[i]);
        var ay2 = TOps.Splat(ws.Y2[i]);
        var aarea = TOps.Splat(ws.Area[i]);
        var tau = TOps.Splat(iouThreshold);
        for (var k = 0; k < count; k += TOps.Count)
        {
            var iou = SimdMath.Iou<TOps, TV>(ax1, ay1, ax2, ay2, aarea,
                TOps.Load(ref rx1, k), TOps.Load(ref ry1, k), TOps.Load(ref rx2, k), TOps.Load(ref ry2, k), TOps.Load(ref rarea, k));
            var over = TOps.GreaterThan(iou, tau);
            if (count - k < TOps.Count) over = TOps.And(over, TOps.FirstLanes(count - k));
            if (TOps.Any(over)) return true;
        }
        return false;
    }
}
