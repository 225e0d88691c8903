using ILGPU;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Per-cell kernels over every level of every image of a batch (one launch each, whatever the
/// number of images): the cell map S / a*, and the <c>peak3x3</c> test. Survivors become sort
/// keys like the NMS family's entrants, so the same sort, gather and NMS stages follow.
/// </summary>
internal static class GridKernels
{
    /// <summary>The level holding global cell <paramref name="cell"/>.</summary>
    public static int FindLevel(ArrayView<LevelSlot> levels, int count, int cell)
    {
        int lo = 0, hi = count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (levels[mid].CellBase <= cell) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>The level holding global cell <paramref name="cell"/> and the cell's row and column in it.</summary>
    public static LevelSlot Locate(ArrayView<LevelSlot> levels, int count, int cell, out int y, out int x)
    {
        var level = levels[FindLevel(levels, count, cell)];
        var local = cell - level.CellBase;
        y = local / level.Width;
        x = local - y * level.Width;
        return level;
    }

    /// <summary>S = max over anchors, a* = the lowest arg-max anchor (<see cref="CellMapScalar.ArgMax{TPlane}"/>).</summary>
    public static void CellMax(Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> scores, ArrayView<float> cells, ArrayView<int> argAnchor)
    {
        var level = levels[FindLevel(levels, levelCount, cell)];
        argAnchor[cell] = CellMapScalar.ArgMax(new ViewPlane(scores, 0), level.CandBase + (cell - level.CellBase) * level.Anchors, level.Anchors, out var best);
        cells[cell] = best;
    }

    /// <summary>Writes the key and emitted score of a surviving cell's a* candidate.</summary>
    public static void EmitCell(
        LevelSlot level, int local, int anchor, float score, int byScore, KeyLayout layout,
        ArrayView<ulong> keys, ArrayView<int> counters, int images, ArrayView<float> emitScore)
    {
        var g = level.CandBase + local * level.Anchors + anchor;
        var flat = level.FlatOffset + local * level.Anchors + anchor;
        emitScore[g] = score;
        var slot = Atomic.Add(ref counters[images], 1);
        Atomic.Add(ref counters[level.Image], 1);
        keys[slot] = byScore != 0 ? layout.ScoreKey(level.Image, score, flat) : layout.FlatKey(level.Image, flat);
    }

    /// <summary><c>peak3x3</c>: S ≥ τs and the 8-neighbour peak test on S (<see cref="PeakRule"/>).</summary>
    public static void Peak(
        Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> cells, ArrayView<int> argAnchor,
        float threshold, int byScore, KeyLayout layout, ArrayView<ulong> keys, ArrayView<int> counters, int images, ArrayView<float> emitScore)
    {
        var level = Locate(levels, levelCount, cell, out var y, out var x);
        var s = cells[cell];
        if (!(s >= threshold)) return;
        if (!PeakRule.IsPeak8(new ViewPlane(cells, level.CellBase), level.Height, level.Width, y, x)) return;
        EmitCell(level, cell - level.CellBase, argAnchor[cell], s, byScore, layout, keys, counters, images, emitScore);
    }
}
