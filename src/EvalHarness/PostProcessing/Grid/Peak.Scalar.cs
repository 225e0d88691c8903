namespace EvalHarness.PostProcessing;

/// <summary><c>peak3x3</c>, the oracle: cells with S ≥ τs that pass the 8-neighbour peak test, emitted in flat order.</summary>
internal static class PeakScalar
{
    public static void Run(CandidateMap map, float scoreThreshold, GridPlanes planes, DetectionList output)
    {
        output.Clear();
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            planes.EnsureCapacity(level.Cells);
            var cells = planes.Cells.AsSpan(0, level.Cells);
            var argAnchor = planes.ArgAnchor.AsSpan(0, level.Cells);
            CellMapScalar.Build(map, level, cells, argAnchor);
            for (var y = 0; y < level.Height; y++)
            {
                for (var x = 0; x < level.Width; x++)
                {
                    var c = y * level.Width + x;
                    if (KeepCell(cells, level.Height, level.Width, y, x, scoreThreshold))
                    {
                        output.AddFromMap(map, CellMapScalar.FlatIndexOf(level, c, argAnchor[c]), cells[c]);
                    }
                }
            }
        }
    }

    public static bool KeepCell(ReadOnlySpan<float> cells, int h, int w, int y, int x, float scoreThreshold) =>
        cells[y * w + x] >= scoreThreshold && PeakRule.IsPeak8(new SpanPlane(cells), h, w, y, x);
}
