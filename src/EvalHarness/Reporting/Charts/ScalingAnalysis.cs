namespace EvalHarness.Reporting.Charts;

/// <summary>Where a GPU curve crosses below a CPU curve in the scaling sweep.</summary>
internal static class ScalingAnalysis
{
    /// <summary>
    /// The candidate count at which <paramref name="gpu"/> becomes faster than <paramref name="cpu"/>:
    /// both are evaluated on the candidate counts they share, and between the last shared count
    /// where the CPU is faster and the first where the GPU is, log(time ratio) is interpolated
    /// linearly in log(count). Null when the GPU is never faster, or already faster at the first count
    /// (no crossover inside the sweep).
    /// </summary>
    public static double? FindCrossover(IReadOnlyList<ScalingPoint> cpu, IReadOnlyList<ScalingPoint> gpu)
    {
        var cpuByCount = new SortedDictionary<int, double>();
        foreach (var p in cpu) cpuByCount[p.Candidates] = p.MedianMilliseconds;
        var shared = new List<(int Count, double LogRatio)>();
        var gpuSorted = gpu.OrderBy(p => p.Candidates).ToList();
        foreach (var p in gpuSorted)
        {
            if (p.Candidates > 0 && cpuByCount.TryGetValue(p.Candidates, out var cpuMs) && cpuMs > 0 && p.MedianMilliseconds > 0)
            {
                shared.Add((p.Candidates, Math.Log(p.MedianMilliseconds / cpuMs)));
            }
        }
        for (var i = 1; i < shared.Count; i++)
        {
            var (c0, r0) = shared[i - 1];
            var (c1, r1) = shared[i];
            if (r0 >= 0 && r1 < 0)
            {
                var l0 = Math.Log(c0);
                var l1 = Math.Log(c1);
                var t = r0 / (r0 - r1);
                return Math.Exp(l0 + t * (l1 - l0));
            }
        }
        return null;
    }
}
