using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Greedy and Fast NMS over the sorted entrants (`SortedCandidates`): each candidate's IoU against a
/// whole vector of reference boxes at once (kept boxes for greedy, earlier boxes for Fast NMS),
/// leaving at the first vector with an IoU above τiou. Same decisions as <c>NmsScalar</c>: the
/// IoU is <see cref="SimdMath.Iou{TOps,TV}"/> (<see cref="BoxIou"/> lane by lane), box a = the candidate.
/// </summary>
internal static class NmsSimd
{
    public static void Greedy<TOps, TV>(SortedCandidates candidates, in NmsParameters p, SimdNmsScratch scratch, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        output.EnsureCapacity(Math.Min(candidates.Count, p.KeepTopK));
        scratch.EnsureCapacity(Math.Min(candidates.Count, p.KeepTopK));
        var kept = 0;
        for (var i = 0; i < candidates.Count && kept < p.KeepTopK; i++)
        {
            if (OverlapsAny<TOps, TV>(candidates, i, scratch.KeptX1, scratch.KeptY1, scratch.KeptX2, scratch.KeptY2, scratch.KeptArea, kept, p.IouThreshold)) continue;
            scratch.KeptX1[kept] = candidates.X1[i];
            scratch.KeptY1[kept] = candidates.Y1[i];
            scratch.KeptX2[kept] = candidates.X2[i];
            scratch.KeptY2[kept] = candidates.Y2[i];
            scratch.KeptArea[kept] = candidates.Area[i];
            kept++;
            output.Add(candidates.Flat[i], candidates.Score[i], candidates.X1[i], candidates.Y1[i], candidates.X2[i], candidates.Y2[i]);
        }
    }

    public static void Fast<TOps, TV>(SortedCandidates candidates, in NmsParameters p, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        output.EnsureCapacity(Math.Min(candidates.Count, p.KeepTopK));
        for (var j = 0; j < candidates.Count && output.Count < p.KeepTopK; j++)
        {
            if (OverlapsAny<TOps, TV>(candidates, j, candidates.X1, candidates.Y1, candidates.X2, candidates.Y2, candidates.Area, j, p.IouThreshold)) continue;
            output.Add(candidates.Flat[j], candidates.Score[j], candidates.X1[j], candidates.Y1[j], candidates.X2[j], candidates.Y2[j]);
        }
    }

    /// <summary>
    /// Is the IoU of entrant <paramref name="i"/> (box a) with any of the first <paramref name="count"/>
    /// reference boxes (box b) above τiou? Leaves at the first vector that has one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool OverlapsAny<TOps, TV>(SortedCandidates candidates, int i, float[] x1, float[] y1, float[] x2, float[] y2, float[] area,
                                              int count, float iouThreshold)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var rx1 = ref MemoryMarshal.GetArrayDataReference(x1);
        ref var ry1 = ref MemoryMarshal.GetArrayDataReference(y1);
        ref var rx2 = ref MemoryMarshal.GetArrayDataReference(x2);
        ref var ry2 = ref MemoryMarshal.GetArrayDataReference(y2);
        ref var rarea = ref MemoryMarshal.GetArrayDataReference(area);
        var ax1 = TOps.Splat(candidates.X1[i]);
        var ay1 = TOps.Splat(candidates.Y1[i]);
        var ax2 = TOps.Splat(candidates.X2[i]);
        var ay2 = TOps.Splat(candidates.Y2[i]);
        var aarea = TOps.Splat(candidates.Area[i]);
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

/// <summary>Boxes kept so far by the SIMD greedy NMS (with <see cref="SortedCandidates.Slack"/>), and one vector's worth of lanes spilled for per-lane work.</summary>
internal sealed class SimdNmsScratch
{
    public float[] KeptX1 { get; private set; } = [];
    public float[] KeptY1 { get; private set; } = [];
    public float[] KeptX2 { get; private set; } = [];
    public float[] KeptY2 { get; private set; } = [];
    public float[] KeptArea { get; private set; } = [];
    public float[] Lanes { get; } = new float[SortedCandidates.Slack];

    public void EnsureCapacity(int n)
    {
        if (KeptX1.Length >= n + SortedCandidates.Slack) return;
        var size = n + SortedCandidates.Slack;
        KeptX1 = new float[size];
        KeptY1 = new float[size];
        KeptX2 = new float[size];
        KeptY2 = new float[size];
        KeptArea = new float[size];
    }
}
