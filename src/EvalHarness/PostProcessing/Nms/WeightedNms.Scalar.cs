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
    public static void Run(SortedCandidates candidates, in NmsParameters p, NmsScratch scratch, DetectionList output)
    {
        output.Clear();
        var n = candidates.Count;
        scratch.EnsureCapacity(n);
        var removed = scratch.Removed.AsSpan(0, n);
        removed.Clear();
        var s = candidates.Score;
        var (x1, y1, x2, y2) = (candidates.X1, candidates.Y1, candidates.X2, candidates.Y2);

        for (var top = 0; top < n && output.Count < p.KeepTopK; top++)
        {
            if (removed[top]) continue;
            removed[top] = true;
            var cluster = new ClusterSum<CpuFloatOps>(s[top], x1[top], y1[top], x2[top], y2[top]);
            for (var j = top + 1; j < n; j++)
            {
                if (removed[j] || !(NmsScalar.IouOf(candidates, j, candidates, top) > p.IouThreshold)) continue;
                removed[j] = true;
                cluster.Add(s[j], x1[j], y1[j], x2[j], y2[j]);
            }
            output.Add(candidates.Flat[top], s[top], cluster.X1, cluster.Y1, cluster.X2, cluster.Y2);
        }
    }
}
