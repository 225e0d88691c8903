using ILGPU;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The gradient-clipping family per cell: the box filter (<see cref="BoxFilter.At{TPlane}"/>) and
/// then gradient, direction peak and clip (<see cref="GradientCell"/>) in one kernel: the oracle's
/// own definitions over <see cref="CudaFloatOps"/>, so results are bit-identical.
/// </summary>
internal static class GradientClippingKernels
{
    public static void BoxHorizontal(Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> src, ArrayView<float> dst, int radius)
    {
        var level = GridKernels.Locate(levels, levelCount, cell, out var y, out var x);
        dst[cell] = BoxFilter.At(new ViewPlane(src, level.CellBase), y * level.Width, 1, level.Width, x, radius);
    }

    public static void BoxVertical(Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> src, ArrayView<float> dst, int radius)
    {
        var level = GridKernels.Locate(levels, levelCount, cell, out var y, out var x);
        dst[cell] = BoxFilter.At(new ViewPlane(src, level.CellBase), x, level.Width, level.Height, y, radius);
    }

    /// <summary>Steps 2–5 for one cell: gradient, direction peak on S̃, clip by S and magnitude, emit.</summary>
    public static void Classify(
        Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> cells, ArrayView<float> acc, ArrayView<int> argAnchor,
        GcParameters parameters, KeyLayout layout, ArrayView<ulong> keys, ArrayView<int> counters, int images, ArrayView<float> emitScore)
    {
        var level = GridKernels.Locate(levels, levelCount, cell, out var y, out var x);
        var s = cells[cell];
        if (!GradientCell.Keep<CudaFloatOps, ViewPlane>(new ViewPlane(acc, level.CellBase), s, level.Height, level.Width, y, x,
                parameters.ScoreThreshold, parameters.HasMagnitudeBound != 0, parameters.MagnitudeBound))
        {
            return;
        }
        var score = parameters.EmitAccumulated != 0 ? acc[cell] : s;
        // The NMS stage's own score ≥ τs entry: an emitted S̃ can be below τs although S passed.
        if (parameters.ByScore != 0 && !(score >= parameters.ScoreThreshold)) return;
        GridKernels.EmitCell(level, cell - level.CellBase, argAnchor[cell], score, parameters.ByScore, layout, keys, counters, images, emitScore);
    }
}

/// <summary>The gc parameters a kernel needs (bools as ints: kernel arguments stay blittable).</summary>
internal struct GcParameters
{
    public float ScoreThreshold;
    public float MagnitudeBound;
    public int HasMagnitudeBound;
    public int EmitAccumulated;
    /// <summary>1 when an NMS stage follows (keys by score), 0 for flat emission order.</summary>
    public int ByScore;
}
