namespace EvalHarness.PostProcessing;

/// <summary>
/// The entry of every NMS stage, written to be obviously right: candidates with score ≥ τs, sorted
/// by <see cref="ScoreOrder"/>, the first preTopK of them, into a <see cref="SortedCandidates"/>.
/// </summary>
internal static class CandidateSelectionScalar
{
    /// <summary>Copies the candidates of <paramref name="map"/> with score ≥ <paramref name="scoreThreshold"/>, in flat order.</summary>
    public static void Threshold(CandidateMap map, float scoreThreshold, DetectionList passing)
    {
        passing.Clear();
        var scores = map.ScoreSpan;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= scoreThreshold) passing.AddFromMap(map, i, scores[i]);
        }
    }

    /// <summary>Copies the detections of <paramref name="input"/> with score ≥ <paramref name="scoreThreshold"/>, in their order.</summary>
    public static void Threshold(DetectionList input, float scoreThreshold, DetectionList passing)
    {
        passing.Clear();
        passing.EnsureCapacity(input.Count);
        var scores = input.Score;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= scoreThreshold)
            {
                passing.Add(input.FlatIndex[i], scores[i], input.X1[i], input.Y1[i], input.X2[i], input.Y2[i]);
            }
        }
    }

    /// <summary>Writes the first <paramref name="preTopK"/> entries of <paramref name="input"/> in score order to <paramref name="sorted"/>.</summary>
    public static void SortAndCap(DetectionList input, int preTopK, SortScratch scratch, SortedCandidates sorted)
    {
        var n = input.Count;
        scratch.EnsureCapacity(n);
        var keys = scratch.Keys.AsSpan(0, n);
        var order = scratch.Order.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            keys[i] = SortKey.Of(input.Score[i], input.FlatIndex[i]);
            order[i] = i;
        }
        // Flat indices are unique within a list, so the keys are distinct and the order total.
        keys.Sort(order);

        var take = Math.Min(n, preTopK);
        sorted.Reset(take);
        for (var r = 0; r < take; r++)
        {
            var j = order[r];
            sorted.Add(input.FlatIndex[j], input.Score[j], input.X1[j], input.Y1[j], input.X2[j], input.Y2[j]);
        }
    }
}
