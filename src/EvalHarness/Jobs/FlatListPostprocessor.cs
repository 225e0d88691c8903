using System.Diagnostics;
using EvalHarness.Backends;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Timing;

namespace EvalHarness.Jobs;

/// <summary>Latency summary of a <see cref="FlatListPostprocessor"/> run: the median of <paramref name="Repeats"/> timed runs after <paramref name="WarmUpPasses"/> untimed ones.</summary>
public sealed record PostprocessResult(double MedianMs, double P90Ms, int Kept, DetectionList Detections, int Repeats = 0, int WarmUpPasses = 0);

/// <summary>
/// The <c>postprocess</c> verb's work: one NMS-family variant on a flat candidate list (no
/// pre/keep caps unless the variant sets them), repeated to time it.
/// </summary>
public static class FlatListPostprocessor
{
    /// <summary>Default number of timed runs: enough for a median and a p90 that mean something.</summary>
    public const int DefaultRepeats = 15;

    /// <summary>Runs the variant untimed until the JIT is done with it (unless <paramref name="warmUp"/> is false), then <paramref name="repeat"/> timed runs.</summary>
    public static PostprocessResult Run(CandidateMap candidates, VariantSpec variant, IPostProcessingBackend backend, int repeat, bool warmUp = true)
    {
        if (!variant.Kind.IsNmsFamily())
        {
            throw new UsageException($"variant '{variant.Name}' needs a dense candidate grid; a flat list supports only "
                                     + "nms, soft-nms-linear, soft-nms-gaussian, weighted-nms and fast-nms");
        }
        if (repeat < 1) throw new UsageException($"--repeat must be at least 1, not {repeat}");
        if (!backend.Supports(variant.Kind)) throw new UsageException($"backend '{backend.Name}' cannot run '{variant.Name}'");

        var output = new DetectionList();
        // A cold first run times the JIT, not the algorithm (11.8 ms vs 0.76 ms warm on 3000 candidates).
        var warmUpPasses = warmUp ? JitWarmUp.Run(() => backend.Run(candidates, variant, output, flatInput: true), minimumPasses: 3, TimeSpan.FromSeconds(5)).Passes : 0;
        var times = new double[repeat];
        for (var r = 0; r < repeat; r++)
        {
            var start = Stopwatch.GetTimestamp();
            backend.Run(candidates, variant, output, flatInput: true);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return new PostprocessResult(NearestRank(times, 0.5), NearestRank(times, 0.9), output.Count, output, repeat, warmUpPasses);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double NearestRank(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
