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

    /// <summary>S = max over anchors, a* = the lowest arg-max anchor.</summary>
    public static void CellMax(Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> scores, ArrayView<float> cells, ArrayView<int> argAnchor)
    {
        var level = levels[FindLevel(levels, levelCount, cell)];
        var first = level.CandBase + (cell - level.CellBase) * level.Anchors;
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
        cells[cell] = best;
        argAnchor[cell] = bestAnchor;
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

    /// <summary><c>peak3x3</c>: S ≥ τs and the 8-neighbour peak test on S.</summary>
    public static void Peak(
        Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> cells, ArrayView<int> argAnchor,
        float threshold, int byScore, KeyLayout layout, ArrayView<ulong> keys, ArrayView<int> counters, int images, ArrayView<float> emitScore)
    {
        var level = levels[FindLevel(levels, levelCount, cell)];
        var local = cell - level.CellBase;
        var s = cells[cell];
        if (!(s >= threshold)) return;
        var y = local / level.Width;
        var x = local - y * level.Width;
        if (!DeviceMath.IsPeak8(cells, level.CellBase, level.Height, level.Width, y, x)) return;
        EmitCell(level, local, argAnchor[cell], s, byScore, layout, keys, counters, images, emitScore);
    }
}
