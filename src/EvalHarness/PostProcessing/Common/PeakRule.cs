using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The spec's peak test against one neighbour, written once for every backend (the scalar oracle
/// and the kernels call it over their <see cref="IFloatPlane"/>; the SIMD backend's interior
/// cells use its vector form, <c>Neighbours</c> in GridRules.Simd, and this for the border): a
/// neighbour outside the grid counts as −∞ (the cell always beats it); against a neighbour with a
/// smaller flat index the cell must be strictly greater, against one with a larger flat index
/// greater or equal, so a plateau of equal values yields exactly one peak (its first cell in flat
/// order). Within a level, cell (y', x') precedes (y, x) iff y' &lt; y, or y' = y and x' &lt; x.
/// </summary>
internal static class PeakRule
{
    /// <summary>Does <paramref name="center"/> beat <paramref name="neighbour"/> (which lies inside the grid)?</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Beats(float center, float neighbour, bool neighbourIsEarlier) =>
        neighbourIsEarlier ? center > neighbour : center >= neighbour;

    /// <summary>The test against neighbour <c>(y + dy, x + dx)</c> of an <c>h × w</c> plane stored row-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool BeatsNeighbour<TPlane>(in TPlane values, int h, int w, int y, int x, int dy, int dx)
        where TPlane : IFloatPlane, allows ref struct
    {
        int ny = y + dy, nx = x + dx;
        if ((uint)ny >= (uint)h || (uint)nx >= (uint)w) return true;
        var earlier = dy < 0 || (dy == 0 && dx < 0);
        return Beats(values.At(y * w + x), values.At(ny * w + nx), earlier);
    }

    /// <summary>The 8-neighbour peak test (CenterNet's 3×3 max-pool NMS with the plateau rule).</summary>
    internal static bool IsPeak8<TPlane>(in TPlane values, int h, int w, int y, int x)
        where TPlane : IFloatPlane, allows ref struct
    {
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                if (dy == 0 && dx == 0) continue;
                if (!BeatsNeighbour(values, h, w, y, x, dy, dx)) return false;
            }
        }
        return true;
    }
}
