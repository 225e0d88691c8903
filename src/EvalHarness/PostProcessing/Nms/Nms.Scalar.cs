namespace EvalHarness.PostProcessing;

/// <summary>Greedy NMS and YOLACT's Fast NMS over the sorted entrants (the oracle).</summary>
internal static class NmsScalar
{
    /// <summary>Greedy: keep a candidate iff its IoU with every kept one is ≤ τiou; at most keepTopK leave.</summary>
    public static void Greedy(SortedCandidates candidates, in NmsParameters p, DetectionList output)
    {
        output.Clear();
        for (var i = 0; i < candidates.Count && output.Count < p.KeepTopK; i++)
        {
            var suppressed = false;
            for (var k = 0; k < output.Count && !suppressed; k++)
            {
                suppressed = IouOf(candidates, i, output.X1[k], output.Y1[k], output.X2[k], output.Y2[k]) > p.IouThreshold;
            }
            if (!suppressed) Emit(candidates, i, output);
        }
    }

    /// <summary>Fast NMS: keep j iff max over i &lt; j (kept or not) of IoU(i, j) ≤ τiou.</summary>
    public static void Fast(SortedCandidates candidates, in NmsParameters p, DetectionList output)
    {
        output.Clear();
        for (var j = 0; j < candidates.Count && output.Count < p.KeepTopK; j++)
        {
            var suppressed = false;
            for (var i = 0; i < j && !suppressed; i++)
            {
                suppressed = IouOf(candidates, j, candidates, i) > p.IouThreshold;
            }
            if (!suppressed) Emit(candidates, j, output);
        }
    }

    /// <summary>IoU with entrant <paramref name="i"/> as box a and the given reference as box b (the order every backend uses: candidate, then reference).</summary>
    internal static float IouOf(SortedCandidates a, int i, float bx1, float by1, float bx2, float by2) =>
        BoxIou.Iou<CpuFloatOps>(a.X1[i], a.Y1[i], a.X2[i], a.Y2[i], bx1, by1, bx2, by2);

    /// <summary>IoU of entrant <paramref name="i"/> (box a) with entrant <paramref name="j"/> of <paramref name="b"/> (box b).</summary>
    internal static float IouOf(SortedCandidates a, int i, SortedCandidates b, int j) => IouOf(a, i, b.X1[j], b.Y1[j], b.X2[j], b.Y2[j]);

    /// <summary>Appends entrant <paramref name="i"/> unchanged.</summary>
    internal static void Emit(SortedCandidates candidates, int i, DetectionList output) =>
        output.Add(candidates.Flat[i], candidates.Score[i], candidates.X1[i], candidates.Y1[i], candidates.X2[i], candidates.Y2[i]);
}
