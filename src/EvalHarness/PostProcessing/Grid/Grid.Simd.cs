
namespace EvalHarness.PostProcessing;

/// <summary><c>peak3x3</c> and the gradient-clipping grid stage, vectorised per row; output equals the scalar oracle's.</summary>
internal static class GridSimd
{
    public static void Peak<TOps, TV>(CandidateMap map, float scoreThreshold, SimdWorkspace ws, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var p = new GridParams(scoreThreshold, float.NaN);
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            BuildCells(map, level, ws);
            GridEmitter.Emit<TOps, TV, PeakRule8>(map, level, ws.Cells, ws.Cells, ws.ArgAnchor, ws.Cells, p, output);
        }
    }

    public static void GradientClipping<TOps, TV>(CandidateMap map, VariantSpec variant, SimdWorkspace ws, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var p = new GridParams(variant.ScoreThreshold, variant.MagnitudeBound);
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            BuildCells(map, level, ws);
            Array.Copy(ws.Cells, ws.Accumulated, level.Cells);
            BoxFilterSimd.Apply<TOps, TV>(ws.Accumulated, ws.Scratch, level.Height, level.Width, variant.Radius, variant.Passes);
            var emitScores = variant.EmitAccumulated ? ws.Accumulated : ws.Cells;
            GridEmitter.Emit<TOps, TV, GradientClippingRule>(map, level, ws.Accumulated, ws.Cells, ws.ArgAnchor, emitScores, p, output);
        }
    }

    /// <summary>S and a* of one level (a plain copy when there is one anchor per cell).</summary>
    private static void BuildCells(CandidateMap map, LevelShape level, SimdWorkspace ws)
    {
        ws.EnsureCellCapacity(level.Cells);
        if (level.Anchors == 1)
        {
            Array.Copy(map.Scores, level.Offset, ws.Cells, 0, level.Cells);
            Array.Clear(ws.ArgAnchor, 0, level.Cells);
            return;
        }
        CellMapScalar.Build(map, level, ws.Cells.AsSpan(0, level.Cells), ws.ArgAnchor.AsSpan(0, level.Cells));
    }
}
