using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The cell map of a level: <c>S[y,x] = max_a score(y,x,a)</c> and its arg-max anchor a* (lowest a
/// on ties). <see cref="ArgMax{TPlane}"/> is the one definition; the <c>CellMax</c> kernel calls it too.
/// </summary>
internal static class CellMapScalar
{
    public static void Build(CandidateMap map, LevelShape level, Span<float> cells, Span<int> argAnchor)
    {
        var scores = new SpanPlane(map.Scores);
        for (var c = 0; c < level.Cells; c++)
        {
            argAnchor[c] = ArgMax(scores, level.Offset + c * level.Anchors, level.Anchors, out var best);
            cells[c] = best;
        }
    }

    /// <summary>The lowest anchor with the largest of the <paramref name="anchors"/> scores from <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ArgMax<TPlane>(in TPlane scores, int first, int anchors, out float best)
        where TPlane : IFloatPlane, allows ref struct
    {
        best = scores.At(first);
        var bestAnchor = 0;
        for (var a = 1; a < anchors; a++)
        {
            var s = scores.At(first + a);
            if (s > best)
            {
                best = s;
                bestAnchor = a;
            }
        }
        return bestAnchor;
    }

    /// <summary>The flat index of cell <paramref name="cell"/>'s arg-max anchor.</summary>
    public static int FlatIndexOf(LevelShape level, int cell, int anchor) => level.Offset + cell * level.Anchors + anchor;
}
