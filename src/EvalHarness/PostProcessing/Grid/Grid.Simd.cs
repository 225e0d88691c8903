
namespace EvalHarness.PostProcessing;

/// <summary><c>peak3x3</c> and the gradient-clipping grid stage, vectorised per row; output equals the scalar oracle's.</summary>
internal static class GridSimd
{
    public static void Peak<TOps, TV>(CandidateMap map, float scoreThreshold, GridPlanes planes, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var p = new GridParams(scoreThreshold, float.NaN);
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            BuildCells(map, level, planes);
            GridEmitter.Emit<TOps, TV, PeakRule8>(map, level, planes.Cells, planes.Cells, planes.ArgAnchor, planes.Cells, p, output);
        }
    }

    public static void GradientClipping<TOps, TV>(CandidateMap map, VariantSpec variant, GridPlanes planes, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        output.Clear();
        var p = new GridParams(variant.ScoreThreshold, variant.MagnitudeBound);
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            BuildCells(map, level, planes);
            Array.Copy(planes.Cells, planes.Accumulated, level.Cells);
            BoxFilterSimd.Apply<TOps, TV>(planes.Accumulated, planes.Scratch, level.Height, level.Width, variant.Radius, variant.Passes);
            var emitScores = variant.EmitAccumulated ? planes.Accumulated : planes.Cells;
            GridEmitter.Emit<TOps, TV, GradientClippingRule>(map, level, planes.Accumulated, planes.Cells, planes.ArgAnchor, emitScores, p, output);
        }
    }

    /// <summary>S and a* of one level (a plain copy when there is one anchor per cell).</summary>
    private static void BuildCells(CandidateMap map, LevelShape level, GridPlanes planes)
    {
        planes.EnsureCapacity(level.Cells);
        if (level.Anchors == 1)
        {
            Array.Copy(map.Scores, level.Offset, planes.Cells, 0, level.Cells);
            Array.Clear(planes.ArgAnchor, 0, level.Cells);
            return;
        }
        CellMapScalar.Build(map, level, planes.Cells.AsSpan(0, level.Cells), planes.ArgAnchor.AsSpan(0, level.Cells));
    }
}
