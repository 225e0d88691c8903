using EvalHarness.IO;

namespace EvalHarness.Sweeps;

/// <summary>
/// Splits images into K folds for held-out tuning.
/// <para><b>By event</b> (WIDER FACE): every image of an event lands in one fold, so a tuned
/// parameter never sees the scenes it is scored on. Events are taken in order of decreasing image
/// count (ties: ordinal event name), each into the fold with the fewest images so far (ties: the
/// lowest fold number): deterministic, independent of image order, and balanced in images.</para>
/// <para><b>By image</b> (synthetic data, whose images are independent draws): image i goes to
/// fold i mod K.</para>
/// </summary>
internal static class FoldAssignment
{
    /// <summary>Fold (0-based) of each image; <paramref name="eventOfImage"/>[i] is image i's event.</summary>
    public static int[] ByEvent(IReadOnlyList<string> eventOfImage, int folds)
    {
        ArgumentNullException.ThrowIfNull(eventOfImage);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in eventOfImage) counts[e] = counts.GetValueOrDefault(e) + 1;
        CheckFolds(folds, counts.Count, "events");

        var events = counts.Keys.ToList();
        events.Sort((a, b) =>
        {
            var byCount = counts[b].CompareTo(counts[a]);
            return byCount != 0 ? byCount : string.CompareOrdinal(a, b);
        });
        var load = new int[folds];
        var foldOfEvent = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var target = 0;
            for (var f = 1; f < folds; f++)
            {
                if (load[f] < load[target]) target = f;
            }
            foldOfEvent[e] = target;
            load[target] += counts[e];
        }
        var result = new int[eventOfImage.Count];
        for (var i = 0; i < result.Length; i++) result[i] = foldOfEvent[eventOfImage[i]];
        return result;
    }

    /// <summary>Image i → fold i mod K.</summary>
    public static int[] ByImage(int imageCount, int folds)
    {
        CheckFolds(folds, imageCount, "images");
        var result = new int[imageCount];
        for (var i = 0; i < imageCount; i++) result[i] = i % folds;
        return result;
    }

    /// <summary>Images of each fold, in image order.</summary>
    public static int[][] Members(IReadOnlyList<int> foldOfImage, int folds)
    {
        var lists = new List<int>[folds];
        for (var f = 0; f < folds; f++) lists[f] = [];
        for (var i = 0; i < foldOfImage.Count; i++) lists[foldOfImage[i]].Add(i);
        var result = new int[folds][];
        for (var f = 0; f < folds; f++) result[f] = [.. lists[f]];
        return result;
    }

    private static void CheckFolds(int folds, int units, string what)
    {
        if (folds < 2) throw new UsageException($"tuning needs at least 2 folds, not {folds}");
        if (folds > units) throw new UsageException($"tuning asks for {folds} folds but there are only {units} {what} to split");
    }
}
