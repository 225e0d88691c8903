using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Sweeps;

/// <summary>
/// "Improves speed at matched accuracy": is some gradient-clipping configuration as accurate as
/// tuned <c>nms</c> (hard AP within <see cref="DefaultTolerance"/>) and faster?
/// <para>Chosen held-out like every tuned family: for each fold, among the gradient-clipping
/// configurations whose hard AP on the tuning images is at least tuned <c>nms</c>'s there minus the
/// tolerance, the fastest (ties: higher hard AP, then canonical order) is applied to the held-out
/// fold. The assembled detections must then also match on held-out images; only then does the
/// latency ratio against tuned <c>nms</c> decide, as the speed verdict does. Otherwise the verdict
/// is <i>refuted</i> and says that no configuration matches the accuracy.</para>
/// </summary>
internal static class MatchedAccuracy
{
    public const double DefaultTolerance = 0.005;

    /// <summary>
    /// The pick of each fold (-1 where nothing matches): <paramref name="onTuningImages"/>(c, f) is
    /// configuration c on fold f's tuning images with its hard AP as the score, and
    /// <paramref name="targetHardAp"/>(f) tuned nms's hard AP on the same images.
    /// </summary>
    public static int[] PickPerFold(int configurations, int folds, Func<int, int, TuningCandidate> onTuningImages, Func<int, double> targetHardAp, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(onTuningImages);
        ArgumentNullException.ThrowIfNull(targetHardAp);
        var picks = new int[folds];
        for (var f = 0; f < folds; f++)
        {
            var floor = targetHardAp(f) - tolerance;
            var best = -1;
            TuningCandidate bestCandidate = default;
            for (var c = 0; c < configurations; c++)
            {
                var candidate = onTuningImages(c, f);
                if (!(candidate.Score >= floor) || double.IsNaN(candidate.MedianMs)) continue;
                if (best < 0 || Faster(candidate, bestCandidate))
                {
                    best = c;
                    bestCandidate = candidate;
                }
            }
            picks[f] = best;
        }
        return picks;
    }

    private static bool Faster(TuningCandidate a, TuningCandidate b)
    {
        if (a.MedianMs != b.MedianMs) return a.MedianMs < b.MedianMs;
        if (a.Score != b.Score) return a.Score > b.Score;
        return string.CompareOrdinal(a.Label, b.Label) < 0;
    }

    /// <summary>
    /// The verdict on one backend. <paramref name="matchedHeldOutHardAp"/> is null when some fold
    /// had no matching configuration; <paramref name="latencyRatio"/> is the matched pick's median
    /// latency over tuned nms's on that backend (null when either did not run there).
    /// </summary>
    public static ClaimVerdict Verdict(string family, string backend, double tunedNmsHardAp, double? matchedHeldOutHardAp, Interval? latencyRatio, double tolerance = DefaultTolerance, string? detail = null)
    {
        var target = FormattableString.Invariant($"tuned nms hard AP {tunedNmsHardAp:0.0000} − {tolerance:0.###}");
        if (matchedHeldOutHardAp is not { } ap)
        {
            return new ClaimVerdict(family, Claim.ImprovesSpeedAtMatchedAccuracy, backend, VerdictOutcome.Refuted,
                $"no configuration matches the accuracy: none reaches {target} on the tuning images of every fold{(detail is null ? "" : $" ({detail})")}");
        }
        if (!(ap >= tunedNmsHardAp - tolerance))
        {
            return new ClaimVerdict(family, Claim.ImprovesSpeedAtMatchedAccuracy, backend, VerdictOutcome.Refuted,
                FormattableString.Invariant($"no configuration matches the accuracy: the matched picks reach held-out hard AP {ap:0.0000}, below {target}"));
        }
        var speed = Verdicts.Speed(family, backend, latencyRatio);
        var evidence = FormattableString.Invariant($"held-out hard AP {ap:0.0000} (within {tolerance:0.###} of {tunedNmsHardAp:0.0000}); {speed.Evidence}");
        return new ClaimVerdict(family, Claim.ImprovesSpeedAtMatchedAccuracy, backend, speed.Outcome, evidence);
    }
}
