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
    public static void Run(SortedCandidates candidates, in NmsParameters p, bool gaussian, NmsScratch scratch, DetectionList output)
    {
        output.Clear();
        var n = candidates.Count;
        scratch.EnsureCapacity(n);
        var s = scratch.Work.AsSpan(0, n);
        var removed = scratch.Removed.AsSpan(0, n);
        candidates.Score.AsSpan(0, n).CopyTo(s);
        removed.Clear();
        var flat = candidates.Flat;

        while (output.Count < p.KeepTopK)
        {
            var top = -1;
            for (var j = 0; j < n; j++)
            {
                if (removed[j]) continue;
                if (top < 0 || ScoreOrder.Precedes(s[j], flat[j], s[top], flat[top])) top = j;
            }
            if (top < 0) break;

            output.Add(flat[top], s[top], candidates.X1[top], candidates.Y1[top], candidates.X2[top], candidates.Y2[top]);
            removed[top] = true;
            for (var j = 0; j < n; j++)
            {
                if (removed[j]) continue;
                var iou = NmsScalar.IouOf(candidates, j, candidates, top);
                if (gaussian) s[j] = Decay.Gaussian<CpuFloatOps>(s[j], iou, p.Sigma);
                else if (iou > p.IouThreshold) s[j] = Decay.Linear<CpuFloatOps>(s[j], iou);
                if (s[j] < p.ScoreThreshold) removed[j] = true;
            }
        }
    }
}

/// <summary>Per-entrant state of the scalar soft and weighted NMS loops.</summary>
internal sealed class NmsScratch
{
    public float[] Work { get; private set; } = [];
    public bool[] Removed { get; private set; } = [];

    public void EnsureCapacity(int n)
    {
        if (Work.Length >= n) return;
        Work = new float[n];
        Removed = new bool[n];
    }
}
