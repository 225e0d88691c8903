using ILGPU;
using ILGPU.Algorithms;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The gradient-clipping family per cell: the box filter (each output a fresh sum of its taps in
/// tap order, divided by (float)(2r+1), exactly as the oracle, so results are bit-identical),
/// then gradient, direction peak and clip in one kernel.
/// </summary>
internal static class GradientClippingKernels
{
    private const float Tan22_5 = 0.41421356f;
    private const float FlatMagnitude = 1e-7f;
    private const float MinAccumulated = 1e-6f;

    private static int Clamp(int i, int length) => i < 0 ? 0 : i >= length ? length - 1 : i;

    public static void BoxHorizontal(Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> src, ArrayView<float> dst, int radius)
    {
        var level = levels[FindLevel(levels, levelCount, cell)];
        var local = cell - level.CellBase;
        var w = level.Width;
        var y = local / w;
        var x = local - y * w;
        var row = level.CellBase + y * w;
        var acc = src[row + Clamp(x - radius, w)];
        for (var t = -radius + 1; t <= radius; t++) acc += src[row + Clamp(x + t, w)];
        dst[cell] = acc / (float)(2 * radius + 1);
    }

    public static void BoxVertical(Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> src, ArrayView<float> dst, int radius)
    {
        var level = levels[FindLevel(levels, levelCount, cell)];
        var local = cell - level.CellBase;
        int w = level.Width, h = level.Height;
        var y = local / w;
        var x = local - y * w;
        var acc = src[level.CellBase + Clamp(y - radius, h) * w + x];
        for (var t = -radius + 1; t <= radius; t++) acc += src[level.CellBase + Clamp(y + t, h) * w + x];
        dst[cell] = acc / (float)(2 * radius + 1);
    }

    private static int FindLevel(ArrayView<LevelSlot> levels, int count, int cell) => GridKernels.FindLevel(levels, count, cell);

    /// <summary>Steps 2–5 for one cell: gradient, direction peak on S̃, clip by S and magnitude, emit.</summary>
    public static void Classify(
        Index1D cell, ArrayView<LevelSlot> levels, int levelCount, ArrayView<float> cells, ArrayView<float> acc, ArrayView<int> argAnchor,
        GcParameters parameters, KeyLayout layout, ArrayView<ulong> keys, ArrayView<int> counters, int images, ArrayView<float> emitScore)
    {
        var level = levels[FindLevel(levels, levelCount, cell)];
        var local = cell - level.CellBase;
        int w = level.Width, h = level.Height, b = level.CellBase;
        var y = local / w;
        var x = local - y * w;

        var gx = DeviceMath.Mul(acc[b + y * w + Clamp(x + 1, w)] - acc[b + y * w + Clamp(x - 1, w)], 0.5f);
        var gy = DeviceMath.Mul(acc[b + Clamp(y + 1, h) * w + x] - acc[b + Clamp(y - 1, h) * w + x], 0.5f);
        var m = XMath.Sqrt(DeviceMath.Mul(gx, gx) + DeviceMath.Mul(gy, gy));

        bool survives;
        if (m <= FlatMagnitude)
        {
            survives = DeviceMath.IsPeak8(acc, b, h, w, y, x);
        }
        else
        {
            var ax = XMath.Abs(gx);
            var ay = XMath.Abs(gy);
            int dy, dx;
            if (ay <= DeviceMath.Mul(Tan22_5, ax)) { dy = 0; dx = 1; }
            else if (ax <= DeviceMath.Mul(Tan22_5, ay)) { dy = 1; dx = 0; }
            else if (DeviceMath.Mul(gx, gy) > 0f) { dy = 1; dx = 1; }
            else { dy = -1; dx = 1; }
            survives = DeviceMath.BeatsNeighbour(acc, b, h, w, y, x, dy, dx) && DeviceMath.BeatsNeighbour(acc, b, h, w, y, x, -dy, -dx);
        }
        if (!survives) return;

        var s = cells[cell];
        var a = acc[cell];
        if (!(s >= parameters.ScoreThreshold)) return;
        if (parameters.HasMagnitudeBound != 0 && !(m / DeviceMath.Max(a, MinAccumulated) <= parameters.MagnitudeBound)) return;
        var score = parameters.EmitAccumulated != 0 ? a : s;
        // The NMS stage's own score ≥ τs entry: an emitted S̃ can be below τs although S passed.
        if (parameters.ByScore != 0 && !(score >= parameters.ScoreThreshold)) return;
        GridKernels.EmitCell(level, local, argAnchor[cell], score, parameters.ByScore, layout, keys, counters, images, emitScore);
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
