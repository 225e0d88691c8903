using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Spec steps 2–4 for one cell, written once for every backend: the scalar oracle and the
/// <c>Classify</c> kernel call these over their <see cref="IFloatOps"/> and <see cref="IFloatPlane"/>;
/// the SIMD backend's interior cells use the vector form (<c>GradientClippingRule</c>), the same
/// float operations in the same order, and these for the border cells. Float order:
/// <c>gx = (S̃[y,x+1] − S̃[y,x−1]) · 0.5f</c> (edge-clamped; equal to the spec's /2), <c>gy</c>
/// likewise, <c>m = sqrt(gx·gx + gy·gy)</c> with separate roundings (no FMA).
/// </summary>
internal static class GradientCell
{
    /// <summary>Step 2: the central-difference gradient at (y, x) of the h × w plane S̃; returns m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Gradient<TOps, TPlane>(in TPlane acc, int h, int w, int y, int x, out float gx, out float gy)
        where TOps : struct, IFloatOps where TPlane : IFloatPlane, allows ref struct
    {
        gx = TOps.Mul(acc.At(y * w + BoxFilter.Clamp(x + 1, w)) - acc.At(y * w + BoxFilter.Clamp(x - 1, w)), 0.5f);
        gy = TOps.Mul(acc.At(BoxFilter.Clamp(y + 1, h) * w + x) - acc.At(BoxFilter.Clamp(y - 1, h) * w + x), 0.5f);
        return TOps.Sqrt(TOps.Mul(gx, gx) + TOps.Mul(gy, gy));
    }

    /// <summary>Step 3: the peak test on S̃ along the quantised gradient direction (8 neighbours when flat).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SurvivesDirectionPeak<TOps, TPlane>(in TPlane acc, int h, int w, int y, int x, float gx, float gy, float m)
        where TOps : struct, IFloatOps where TPlane : IFloatPlane, allows ref struct
    {
        var direction = GradientDirection.Of<TOps>(gx, gy, m);
        if (direction == GradientDirection.Flat) return PeakRule.IsPeak8(acc, h, w, y, x);
        var dy = GradientDirection.NeighbourDy(direction);
        var dx = GradientDirection.NeighbourDx(direction);
        return PeakRule.BeatsNeighbour(acc, h, w, y, x, dy, dx) && PeakRule.BeatsNeighbour(acc, h, w, y, x, -dy, -dx);
    }

    /// <summary>Step 4: keep iff S ≥ τs and, where τg is set, m / max(S̃, 1e-6) ≤ τg.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PassesClip(float s, float accumulated, float m, float scoreThreshold, bool hasMagnitudeBound, float magnitudeBound) =>
        s >= scoreThreshold && (!hasMagnitudeBound || m / BoxIou.Max(accumulated, GradientDirection.MinAccumulated) <= magnitudeBound);

    /// <summary>Steps 2–4 for one cell: gradient, direction peak on S̃, confidence and magnitude clip.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Keep<TOps, TPlane>(in TPlane acc, float s, int h, int w, int y, int x,
                                          float scoreThreshold, bool hasMagnitudeBound, float magnitudeBound)
        where TOps : struct, IFloatOps where TPlane : IFloatPlane, allows ref struct
    {
        var m = Gradient<TOps, TPlane>(acc, h, w, y, x, out var gx, out var gy);
        return SurvivesDirectionPeak<TOps, TPlane>(acc, h, w, y, x, gx, gy, m)
            && PassesClip(s, acc.At(y * w + x), m, scoreThreshold, hasMagnitudeBound, magnitudeBound);
    }
}

/// <summary>Step 3's quantisation of the gradient direction (Canny), shared by every backend.</summary>
internal static class GradientDirection
{
    /// <summary>tan 22.5°.</summary>
    public const float TanPiOver8 = 0.41421356f;
    /// <summary>At or below this magnitude the cell has no direction and takes the 8-neighbour test.</summary>
    public const float FlatMagnitude = 1e-7f;
    /// <summary>The floor of S̃ in the magnitude bound.</summary>
    public const float MinAccumulated = 1e-6f;

    public const int Flat = 0;
    /// <summary>Compare with (y, x±1).</summary>
    public const int Horizontal = 1;
    /// <summary>Compare with (y±1, x).</summary>
    public const int Vertical = 2;
    /// <summary>gx·gy &gt; 0: compare with (y+1, x+1) and (y−1, x−1).</summary>
    public const int Diagonal = 3;
    /// <summary>Otherwise: compare with (y−1, x+1) and (y+1, x−1).</summary>
    public const int AntiDiagonal = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Of<TOps>(float gx, float gy, float m) where TOps : struct, IFloatOps
    {
        if (m <= FlatMagnitude) return Flat;
        var ax = TOps.Abs(gx);
        var ay = TOps.Abs(gy);
        if (ay <= TOps.Mul(TanPiOver8, ax)) return Horizontal;
        if (ax <= TOps.Mul(TanPiOver8, ay)) return Vertical;
        return TOps.Mul(gx, gy) > 0f ? Diagonal : AntiDiagonal;
    }

    /// <summary>The CPU's <see cref="Of{TOps}"/>.</summary>
    public static int Of(float gx, float gy, float m) => Of<CpuFloatOps>(gx, gy, m);

    /// <summary>dy of one of the two neighbours of a direction (not <see cref="Flat"/>); the other is (−dy, −dx).</summary>
    public static int NeighbourDy(int direction) => direction switch
    {
        Horizontal => 0,
        AntiDiagonal => -1,
        _ => 1,
    };

    /// <summary>dx of one of the two neighbours of a direction (not <see cref="Flat"/>).</summary>
    public static int NeighbourDx(int direction) => direction == Vertical ? 0 : 1;
}
