namespace EvalHarness.PostProcessing;

/// <summary>
/// Soft-NMS (Bodla et al.) as the spec defines it, the oracle: repeatedly take the highest
/// remaining score (ties: smaller flat index) and emit it with its current score; decay every
/// other remaining candidate; drop those whose score falls below τs. Float order fixed for all
/// backends: IoU(other, taken) by <see cref="BoxIou"/>, then <see cref="Decay"/> (linear only
/// where iou &gt; τiou).
/// </summary>
internal static class SoftNmsScalar
{
    public static void Run(DetectionList sorted, bool gaussian, float iouThreshold, float sigma, float scoreThreshold,
                           int keepTopK, ScalarWorkspace ws, DetectionList output)
    {
        output.Clear();
        var n = sorted.Count;
        ws.EnsureCandidateCapacity(n);
        var s = ws.WorkScores.AsSpan(0, n);
        var removed = ws.Removed.AsSpan(0, n);
        sorted.Score.CopyTo(s);
        removed.Clear();
        var flat = sorted.FlatIndex;

        while (output.Count < keepTopK)
        {
            var top = -1;
            for (var j = 0; j < n; j++)
            {
                if (removed[j]) continue;
                if (top < 0 || ScoreOrder.Precedes(s[j], flat[j], s[top], flat[top])) top = j;
            }
            if (top < 0) break;

            output.Add(flat[top], s[top], sorted.X1[top], sorted.Y1[top], sorted.X2[top], sorted.Y2[top]);
            removed[top] = true;
            for (var j = 0; j < n; j++)
            {
                if (removed[j]) continue;
                var iou = NmsScalar.IouOf(sorted, j, sorted, top);
                if (gaussian) s[j] = Decay.Gaussian<CpuFloatOps>(s[j], iou, sigma);
                else if (iou > iouThreshold) s[j] = Decay.Linear<CpuFloatOps>(s[j], iou);
                if (s[j] < scoreThreshold) removed[j] = true;
            }
        }
    }
}
