namespace EvalHarness.PostProcessing;

/// <summary>
/// The gradient-clipping family's grid stage (spec steps 1–5), the oracle. Survivors are emitted
/// per level in flat order; each cell is judged by <see cref="GradientCell.Keep{TOps,TPlane}"/>,
/// the one definition of steps 2–4 every backend uses.
/// </summary>
internal static class GradientClippingScalar
{
    public static void Run(CandidateMap map, VariantSpec variant, GridPlanes planes, DetectionList output)
    {
        output.Clear();
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            int h = level.Height, w = level.Width;
            planes.EnsureCapacity(level.Cells);
            var cells = planes.Cells.AsSpan(0, level.Cells);
            var argAnchor = planes.ArgAnchor.AsSpan(0, level.Cells);
            var acc = planes.Accumulated.AsSpan(0, level.Cells);
            CellMapScalar.Build(map, level, cells, argAnchor);
            cells.CopyTo(acc);
            BoxFilterScalar.Apply(acc, planes.Scratch.AsSpan(0, level.Cells), h, w, variant.Radius, variant.Passes);

            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    if (!KeepCell(acc, cells, h, w, y, x, variant.ScoreThreshold, variant.MagnitudeBound)) continue;
                    var c = y * w + x;
                    var score = variant.EmitAccumulated ? acc[c] : cells[c];
                    output.AddFromMap(map, CellMapScalar.FlatIndexOf(level, c, argAnchor[c]), score);
                }
            }
        }
    }

    /// <summary>Steps 2–4 for one cell (τg = NaN: no magnitude bound).</summary>
    public static bool KeepCell(ReadOnlySpan<float> acc, ReadOnlySpan<float> cells, int h, int w, int y, int x,
                                float scoreThreshold, float magnitudeBound) =>
        GradientCell.Keep<CpuFloatOps, SpanPlane>(new SpanPlane(acc), cells[y * w + x], h, w, y, x,
                                                  scoreThreshold, !float.IsNaN(magnitudeBound), magnitudeBound);
}
