namespace EvalHarness.PostProcessing;

/// <summary>The cell map of a level: <c>S[y,x] = max_a score(y,x,a)</c> and its arg-max anchor a* (lowest a on ties).</summary>
internal static class CellMapScalar
{
    public static void Build(CandidateMap map, LevelShape level, Span<float> cells, Span<int> argAnchor)
    {
        var scores = map.Scores;
        for (var c = 0; c < level.Cells; c++)
        {
            var first = level.Offset + c * level.Anchors;
            var best = scores[first];
            var bestAnchor = 0;
            for (var a = 1; a < level.Anchors; a++)
            {
                if (scores[first + a] > best)
                {
                    best = scores[first + a];
                    bestAnchor = a;
                }
            }
            cells[c] = best;
            argAnchor[c] = bestAnchor;
        }
    }

    /// <summary>The flat index of cell <paramref name="cell"/>'s arg-max anchor.</summary>
    public static int FlatIndexOf(LevelShape level, int cell, int anchor) => level.Offset + cell * level.Anchors + anchor;
}
