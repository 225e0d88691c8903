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

    /// <summary>
    /// The batched form for backends that prefer batches: untimed warm-up calls of the whole batch,
    /// then one timed <see cref="IPostProcessingBackend.RunBatch"/> per sample (the batch's time, not
    /// per image); every repeat must return exactly the first one's detections for every image.
    /// Leaves each image's detections in <paramref name="firsts"/>; <paramref name="repeats"/> holds
    /// as many lists as <paramref name="maps"/> has maps.
    /// </summary>
    /// <returns>−1, or the first repeat whose detections differed for some image (the cell has failed).</returns>
    public static int RunBatch(IPostProcessingBackend backend, IReadOnlyList<CandidateMap> maps, VariantSpec variant, int warmUp,
                               IReadOnlyList<DetectionList> firsts, IReadOnlyList<DetectionList> repeats, Span<double> batchSamplesMs)
    {
        if (firsts.Count < maps.Count || repeats.Count < maps.Count) throw new ArgumentException("one first and one repeat list per map are required", nameof(firsts));
        for (var w = 0; w < warmUp; w++) backend.RunBatch(maps, variant, firsts);
        for (var r = 0; r < batchSamplesMs.Length; r++)
        {
            var targets = r == 0 ? firsts : repeats;
            var start = Stopwatch.GetTimestamp();
            backend.RunBatch(maps, variant, targets);
            batchSamplesMs[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (r == 0) continue;
            for (var i = 0; i < maps.Count; i++)
            {
                if (!DetectionEquivalence.Identical(firsts[i], repeats[i])) return r;
            }
        }
        return -1;
    }
}
