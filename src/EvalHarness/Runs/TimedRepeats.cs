using System.Diagnostics;
using EvalHarness.Backends;
using EvalHarness.PostProcessing;

namespace EvalHarness.Runs;

/// <summary>
/// The timed part of one cell, shared by <c>run</c> and the sweep: untimed warm-up calls, then one
/// timed call per sample; every repeat after the first must return exactly the first one's
/// detections (a backend that does not is non-deterministic and its timings mean nothing).
/// </summary>
internal static class TimedRepeats
{
    /// <summary>Fills <paramref name="samplesMs"/>; leaves the detections in <paramref name="first"/>.</summary>
    /// <returns>−1, or the first repeat whose detections differed (the cell has failed).</returns>
    public static int Run(IPostProcessingBackend backend, CandidateMap map, VariantSpec variant, int warmUp,
                          DetectionList first, DetectionList repeat, Span<double> samplesMs)
    {
        for (var w = 0; w < warmUp; w++) backend.Run(map, variant, first);
        for (var r = 0; r < samplesMs.Length; r++)
        {
            var target = r == 0 ? first : repeat;
            var start = Stopwatch.GetTimestamp();
            backend.Run(map, variant, target);
            samplesMs[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (r > 0 && !DetectionEquivalence.Identical(first, repeat)) return r;
        }
        return -1;
    }
}
