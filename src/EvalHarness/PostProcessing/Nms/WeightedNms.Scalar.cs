namespace EvalHarness.PostProcessing;

/// <summary>
/// Weighted NMS (MediaPipe's blending), the oracle: take the highest remaining; its cluster is
/// the top plus every remaining candidate with IoU &gt; τiou with it; emit the score-weighted mean
/// box of the cluster (<see cref="ClusterSum{TOps}"/>, the float order every backend uses) with the
/// top's score and flat index; remove the cluster. Scores never change, so "highest remaining" is
/// the next unremoved entry of the sorted list.
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
            var cluster = new ClusterSum<CpuFloatOps>(s[top], sorted.X1[top], sorted.Y1[top], sorted.X2[top], sorted.Y2[top]);
            for (var j = top + 1; j < n; j++)
            {
                if (removed[j] || !(NmsScalar.IouOf(sorted, j, sorted, top) > iouThreshold)) continue;
                removed[j] = true;
                cluster.Add(s[j], sorted.X1[j], sorted.Y1[j], sorted.X2[j], sorted.Y2[j]);
            }
            output.Add(sorted.FlatIndex[top], s[top], cluster.X1, cluster.Y1, cluster.X2, cluster.Y2);
        }
    }
}
