namespace EvalHarness.PostProcessing;

/// <summary>
/// Weighted NMS (MediaPipe's blending), the oracle: take the highest remaining; its cluster is
/// the top plus every remaining candidate with IoU &gt; τiou with it; emit the score-weighted mean
/// box of the cluster with the top's score and flat index; remove the cluster. Scores never
/// change, so "highest remaining" is the next unremoved entry of the sorted list. Float order
/// fixed for all backends: sums accumulate in float32 in sorted order starting with the top
/// (<c>w += s; sx1 += s * x1; …</c>), then <c>x1 = sx1 / w</c>. A cluster whose weights sum to 0
/// (all scores 0, possible only with τs = 0) emits the top's own box.
/// </summary>
internal static class WeightedNmsScalar
{
    public static void Run(DetectionList sorted, float iouThreshold, int keepTopK, ScalarWorkspace ws, DetectionList output)
    {
        output.Clear();
        var n = sorted.Count;
        ws.EnsureCandidateCapacity(n);
        var removed = ws.Removed.AsSpan(0, n);
        removed.Clear();
        var s = sorted.Score;

        for (var top = 0; top < n && output.Count < keepTopK; top++)
        {
            if (removed[top]) continue;
            removed[top] = true;
            var w = s[top];
            var sx1 = s[top] * sorted.X1[top];
            var sy1 = s[top] * sorted.Y1[top];
            var sx2 = s[top] * sorted.X2[top];
            var sy2 = s[top] * sorted.Y2[top];
            for (var j = top + 1; j < n; j++)
            {
                if (removed[j] || !(NmsScalar.IouOf(sorted, j, sorted, top) > iouThreshold)) continue;
                removed[j] = true;
                w += s[j];
                sx1 += s[j] * sorted.X1[j];
                sy1 += s[j] * sorted.Y1[j];
                sx2 += s[j] * sorted.X2[j];
                sy2 += s[j] * sorted.Y2[j];
            }
            if (w > 0f) output.Add(sorted.FlatIndex[top], s[top], sx1 / w, sy1 / w, sx2 / w, sy2 / w);
            else output.Add(sorted.FlatIndex[top], s[top], sorted.X1[top], sorted.Y1[top], sorted.X2[top], sorted.Y2[top]);
        }
    }
}
