namespace EvalHarness.Sweeps;

/// <summary>A configuration as tuning sees it on one set of images: its objective value and median latency.</summary>
internal readonly record struct TuningCandidate(string Label, double Score, double MedianMs);

/// <summary>
/// Held-out tuning by cross-fitting. For each fold f, the configuration of a family is chosen on
/// the other folds (its "tuning" images) and applied to fold f; the family's tuned detections are
/// fold f's pick on fold f's images, for every f. No image is scored by a choice made on it.
/// <para>The choice: the highest objective; ties go to the faster (lower median ms), then to the
/// canonical order (ordinal comparison of the canonical labels), so the pick never depends on
/// the order the suite lists configurations in. Candidates whose objective is NaN (not eligible
/// under a latency bound, or AP undefined) are never picked.</para>
/// </summary>
internal static class CrossFitting
{
    /// <summary>Index of the best candidate, or -1 when none has a defined objective.</summary>
    public static int Best(IReadOnlyList<TuningCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var best = -1;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (double.IsNaN(candidates[i].Score)) continue;
            if (best < 0 || Better(candidates[i], candidates[best])) best = i;
        }
        return best;
    }

    /// <summary>True when <paramref name="a"/> ranks before <paramref name="b"/>.</summary>
    public static bool Better(TuningCandidate a, TuningCandidate b)
    {
        if (a.Score != b.Score) return a.Score > b.Score;
        var aMs = double.IsNaN(a.MedianMs) ? double.PositiveInfinity : a.MedianMs;
        var bMs = double.IsNaN(b.MedianMs) ? double.PositiveInfinity : b.MedianMs;
        if (aMs != bMs) return aMs < bMs;
        return string.CompareOrdinal(a.Label, b.Label) < 0;
    }

    /// <summary>
    /// The pick of each fold (-1 where nothing is eligible): <paramref name="onTuningImages"/>(c, f)
    /// describes configuration c on the tuning images of fold f (every fold but f).
    /// </summary>
    public static int[] PickPerFold(int configurations, int folds, Func<int, int, TuningCandidate> onTuningImages)
    {
        ArgumentNullException.ThrowIfNull(onTuningImages);
        var picks = new int[folds];
        var candidates = new TuningCandidate[configurations];
        for (var f = 0; f < folds; f++)
        {
            for (var c = 0; c < configurations; c++) candidates[c] = onTuningImages(c, f);
            picks[f] = Best(candidates);
        }
        return picks;
    }

    /// <summary>The configuration each image is scored with: its fold's pick (-1 where the fold has none).</summary>
    public static int[] ConfigurationPerImage(IReadOnlyList<int> foldOfImage, IReadOnlyList<int> picks)
    {
        var result = new int[foldOfImage.Count];
        for (var i = 0; i < result.Length; i++) result[i] = picks[foldOfImage[i]];
        return result;
    }
}
