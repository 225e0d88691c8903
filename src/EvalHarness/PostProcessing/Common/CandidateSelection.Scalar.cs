namespace EvalHarness.PostProcessing;

/// <summary>
/// The entry of every NMS stage, written to be obviously right: candidates with score ≥ τs, sorted
/// by <see cref="ScoreOrder"/>, the first preTopK of them.
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
    public static void SortAndCap(DetectionList input, int preTopK, ScalarWorkspace ws, DetectionList sorted)
    {
        var n = input.Count;
        ws.EnsureSortCapacity(n);
        var keys = ws.SortKeys.AsSpan(0, n);
        var order = ws.SortOrder.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            keys[i] = SortKey.Of(input.Score[i], input.FlatIndex[i]);
            order[i] = i;
        }
        // Flat indices are unique within a list, so the keys are distinct and the order total.
        keys.Sort(order);

        var take = Math.Min(n, preTopK);
        sorted.Clear();
        sorted.EnsureCapacity(take);
        for (var r = 0; r < take; r++)
        {
            var j = order[r];
            sorted.Add(input.FlatIndex[j], input.Score[j], input.X1[j], input.Y1[j], input.X2[j], input.Y2[j]);
        }
    }
}

/// <summary>Reusable buffers of the scalar backend (one instance per backend, so steady state allocates nothing).</summary>
internal sealed class ScalarWorkspace
{
    public DetectionList Passing { get; } = new();
    public DetectionList Sorted { get; } = new();
    public DetectionList Emitted { get; } = new();

    public ulong[] SortKeys { get; private set; } = [];
    public int[] SortOrder { get; private set; } = [];

    /// <summary>Per-candidate state of the soft/weighted NMS loops.</summary>
    public float[] WorkScores { get; private set; } = [];
    public bool[] Removed { get; private set; } = [];

    /// <summary>Per-cell planes of the grid variants: S, a*, S̃ and a scratch plane.</summary>
    public float[] Cells { get; private set; } = [];
    public int[] ArgAnchor { get; private set; } = [];
    public float[] Accumulated { get; private set; } = [];
    public float[] Scratch { get; private set; } = [];

    public void EnsureSortCapacity(int n)
    {
        if (SortOrder.Length >= n) return;
        SortKeys = new ulong[n];
        SortOrder = new int[n];
    }

    public void EnsureCandidateCapacity(int n)
    {
        if (WorkScores.Length >= n) return;
        WorkScores = new float[n];
        Removed = new bool[n];
    }

    public void EnsureCellCapacity(int cells)
    {
        if (Cells.Length >= cells) return;
        Cells = new float[cells];
        ArgAnchor = new int[cells];
        Accumulated = new float[cells];
        Scratch = new float[cells];
    }
}
