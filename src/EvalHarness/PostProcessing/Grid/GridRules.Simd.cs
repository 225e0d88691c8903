using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>Parameters of a grid rule for one run.</summary>
internal readonly record struct GridParams(float ScoreThreshold, float MagnitudeBound);

/// <summary>
/// A per-cell keep rule of a grid variant: a vector form for interior cells (all 8 neighbours
/// inside the grid, so no bounds logic) and the scalar oracle's own per-cell function for the
/// border cells, so both agree by construction at the borders and by identical float ops inside.
/// </summary>
internal interface IGridRule
{
    /// <summary>Keep mask of cells <paramref name="index"/> … +Count−1 of a row; <paramref name="values"/> is the plane the peak test reads.</summary>
    static abstract TV Keep<TOps, TV>(ref float values, ref float cells, int index, int w, in GridParams p)
        where TOps : struct, ISimdOps<TV> where TV : struct;

    static abstract bool KeepCell(ReadOnlySpan<float> values, ReadOnlySpan<float> cells, int h, int w, int y, int x, in GridParams p);
}

/// <summary><c>peak3x3</c>: S ≥ τs and the 8-neighbour peak test on S.</summary>
internal readonly struct PeakRule8 : IGridRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Keep<TOps, TV>(ref float values, ref float cells, int index, int w, in GridParams p)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        var c = TOps.Load(ref values, index);
        var keep = TOps.GreaterThanOrEqual(c, TOps.Splat(p.ScoreThreshold));
        return TOps.And(keep, Neighbours<TOps, TV>.Of(ref values, index, w, c).Pass8);
    }

    public static bool KeepCell(ReadOnlySpan<float> values, ReadOnlySpan<float> cells, int h, int w, int y, int x, in GridParams p) =>
        PeakScalar.KeepCell(values, h, w, y, x, p.ScoreThreshold);
}

/// <summary>Gradient clipping steps 2–4 (<see cref="GradientCell.Keep{TOps,TPlane}"/>, the one definition) lane by lane on S̃ with S for the confidence clip.</summary>
internal readonly struct GradientClippingRule : IGridRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Keep<TOps, TV>(ref float values, ref float cells, int index, int w, in GridParams p)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        var c = TOps.Load(ref values, index);
        var nb = Neighbours<TOps, TV>.Of(ref values, index, w, c);
        var half = TOps.Splat(0.5f);
        var gx = TOps.Multiply(TOps.Subtract(nb.R, nb.L), half);
        var gy = TOps.Multiply(TOps.Subtract(nb.D, nb.U), half);
        var m = TOps.Sqrt(TOps.Add(TOps.Multiply(gx, gx), TOps.Multiply(gy, gy)));
        var ax = TOps.Abs(gx);
        var ay = TOps.Abs(gy);
        var t = TOps.Splat(GradientDirection.TanPiOver8);
        var horizontal = TOps.LessThanOrEqual(ay, TOps.Multiply(t, ax));
        var vertical = TOps.LessThanOrEqual(ax, TOps.Multiply(t, ay));
        var diagonal = TOps.GreaterThan(TOps.Multiply(gx, gy), TOps.Splat(0f));
        var alongGradient = TOps.Select(horizontal, TOps.And(nb.BeatsL, nb.BeatsR),
                            TOps.Select(vertical, TOps.And(nb.BeatsU, nb.BeatsD),
                            TOps.Select(diagonal, TOps.And(nb.BeatsDR, nb.BeatsUL), TOps.And(nb.BeatsUR, nb.BeatsDL))));
        var survives = TOps.Select(TOps.LessThanOrEqual(m, TOps.Splat(GradientDirection.FlatMagnitude)), nb.Pass8, alongGradient);
        var keep = TOps.And(survives, TOps.GreaterThanOrEqual(TOps.Load(ref cells, index), TOps.Splat(p.ScoreThreshold)));
        if (!float.IsNaN(p.MagnitudeBound))
        {
            var floor = TOps.Splat(GradientDirection.MinAccumulated);
            var ratio = TOps.Divide(m, SimdMath.Max<TOps, TV>(c, floor));
            keep = TOps.And(keep, TOps.LessThanOrEqual(ratio, TOps.Splat(p.MagnitudeBound)));
        }
        return keep;
    }

    public static bool KeepCell(ReadOnlySpan<float> values, ReadOnlySpan<float> cells, int h, int w, int y, int x, in GridParams p) =>
        GradientClippingScalar.KeepCell(values, cells, h, w, y, x, p.ScoreThreshold, p.MagnitudeBound);
}

/// <summary>
/// The 8 neighbours of interior cells and the peak rule against each: strict against the earlier
/// ones (up row and left), inclusive against the later ones (right and down row).
/// </summary>
internal readonly struct Neighbours<TOps, TV> where TOps : struct, ISimdOps<TV> where TV : struct
{
    public readonly TV L, R, U, D;
    public readonly TV BeatsUL, BeatsU, BeatsUR, BeatsL, BeatsR, BeatsDL, BeatsD, BeatsDR;

    private Neighbours(ref float v, int i, int w, TV c)
    {
        L = TOps.Load(ref v, i - 1);
        R = TOps.Load(ref v, i + 1);
        U = TOps.Load(ref v, i - w);
        D = TOps.Load(ref v, i + w);
        BeatsUL = TOps.GreaterThan(c, TOps.Load(ref v, i - w - 1));
        BeatsU = TOps.GreaterThan(c, U);
        BeatsUR = TOps.GreaterThan(c, TOps.Load(ref v, i - w + 1));
        BeatsL = TOps.GreaterThan(c, L);
        BeatsR = TOps.GreaterThanOrEqual(c, R);
        BeatsDL = TOps.GreaterThanOrEqual(c, TOps.Load(ref v, i + w - 1));
        BeatsD = TOps.GreaterThanOrEqual(c, D);
        BeatsDR = TOps.GreaterThanOrEqual(c, TOps.Load(ref v, i + w + 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Neighbours<TOps, TV> Of(ref float values, int index, int w, TV center) => new(ref values, index, w, center);

    public TV Pass8 => TOps.And(TOps.And(TOps.And(BeatsUL, BeatsU), TOps.And(BeatsUR, BeatsL)),
                                TOps.And(TOps.And(BeatsR, BeatsDL), TOps.And(BeatsD, BeatsDR)));
}

/// <summary>
/// Walks a level row by row and emits the kept cells in flat order: border rows and columns
/// through the rule's scalar cell function, interior cells a vector at a time (a last partial
/// vector is moved back and its already-emitted lanes are masked off).
/// </summary>
internal static class GridEmitter
{
    public static void Emit<TOps, TV, TRule>(CandidateMap map, LevelShape level, float[] values, float[] cells, int[] argAnchor,
                                             float[] emitScores, in GridParams p, DetectionList output)
        where TOps : struct, ISimdOps<TV> where TV : struct where TRule : struct, IGridRule
    {
        int h = level.Height, w = level.Width;
        ref var v0 = ref MemoryMarshal.GetArrayDataReference(values);
        ref var c0 = ref MemoryMarshal.GetArrayDataReference(cells);
        var valuesSpan = values.AsSpan(0, level.Cells);
        var cellsSpan = cells.AsSpan(0, level.Cells);
        var vectorRows = w - 2 >= TOps.Count;
        for (var y = 0; y < h; y++)
        {
            if (y == 0 || y == h - 1 || !vectorRows)
            {
                for (var x = 0; x < w; x++)
                {
                    if (TRule.KeepCell(valuesSpan, cellsSpan, h, w, y, x, p)) Add(map, level, y * w + x, argAnchor, emitScores, output);
                }
                continue;
            }
            if (TRule.KeepCell(valuesSpan, cellsSpan, h, w, y, 0, p)) Add(map, level, y * w, argAnchor, emitScores, output);
            var end = w - 1;
            for (var x = 1; x < end; x += TOps.Count)
            {
                var start = x;
                if (x > end - TOps.Count) x = end - TOps.Count;
                var bits = TOps.Bits(TRule.Keep<TOps, TV>(ref v0, ref c0, y * w + x, w, p));
                bits &= ~0UL << (start - x);
                while (bits != 0)
                {
                    Add(map, level, y * w + x + BitOperations.TrailingZeroCount(bits), argAnchor, emitScores, output);
                    bits &= bits - 1;
                }
            }
            if (TRule.KeepCell(valuesSpan, cellsSpan, h, w, y, end, p)) Add(map, level, y * w + end, argAnchor, emitScores, output);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(CandidateMap map, LevelShape level, int cell, int[] argAnchor, float[] emitScores, DetectionList output) =>
        output.AddFromMap(map, CellMapScalar.FlatIndexOf(level, cell, argAnchor[cell]), emitScores[cell]);
}
