namespace EvalHarness.PostProcessing;

/// <summary>Greedy NMS and YOLACT's Fast NMS over a list already in score order (the oracle).</summary>
internal static class NmsScalar
{
    /// <summary>Greedy: keep a candidate iff its IoU with every kept one is ≤ τiou; at most <paramref name="keepTopK"/> leave.</summary>
    public static void Greedy(DetectionList sorted, float iouThreshold, int keepTopK, DetectionList output)
    {
        output.Clear();
        for (var i = 0; i < sorted.Count && output.Count < keepTopK; i++)
        {
            var suppressed = false;
            for (var k = 0; k < output.Count && !suppressed; k++)
            {
                suppressed = IouOf(sorted, i, output, k) > iouThreshold;
            }
            if (!suppressed) output.Add(sorted.FlatIndex[i], sorted.Score[i], sorted.X1[i], sorted.Y1[i], sorted.X2[i], sorted.Y2[i]);
        }
    }

    /// <summary>Fast NMS: keep j iff max over i &lt; j (kept or not) of IoU(i, j) ≤ τiou.</summary>
    public static void Fast(DetectionList sorted, float iouThreshold, int keepTopK, DetectionList output)
    {
        output.Clear();
        for (var j = 0; j < sorted.Count && output.Count < keepTopK; j++)
        {
            var suppressed = false;
            for (var i = 0; i < j && !suppressed; i++)
            {
                suppressed = IouOf(sorted, j, sorted, i) > iouThreshold;
            }
            if (!suppressed) output.Add(sorted.FlatIndex[j], sorted.Score[j], sorted.X1[j], sorted.Y1[j], sorted.X2[j], sorted.Y2[j]);
        }
    }

    /// <summary>IoU with <paramref name="a"/>[i] as box a and <paramref name="b"/>[j] as box b (the order every backend uses: candidate, then reference).</summary>
    internal static float IouOf(DetectionList a, int i, DetectionList b, int j) =>
        BoxIou.Iou<CpuFloatOps>(a.X1[i], a.Y1[i], a.X2[i], a.Y2[i], b.X1[j], b.Y1[j], b.X2[j], b.Y2[j]);
}
