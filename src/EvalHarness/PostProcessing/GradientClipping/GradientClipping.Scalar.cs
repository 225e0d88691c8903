namespace EvalHarness.PostProcessing;

/// <summary>
/// The gradient-clipping family's grid stage (spec steps 1–5), the oracle. Survivors are emitted
/// per level in flat order. Float order fixed for every backend:
/// <c>gx = (S̃[y,x+1] − S̃[y,x−1]) * 0.5f</c> (edge-clamped; equal to the spec's /2),
/// <c>gy</c> likewise, <c>m = sqrt(gx*gx + gy*gy)</c> with separate roundings (no FMA),
/// then the rules of <see cref="GradientDirection"/> and the clip of <see cref="Keep"/>.
/// </summary>
internal static class GradientClippingScalar
{
    public static void Run(CandidateMap map, VariantSpec variant, ScalarWorkspace ws, DetectionList output)
    {
        output.Clear();
        foreach (var level in map.Levels)
        {
            if (level.Count == 0) continue;
            int h = level.Height, w = level.Width;
            ws.EnsureCellCapacity(level.Cells);
            var cells = ws.Cells.AsSpan(0, level.Cells);
            var argAnchor = ws.ArgAnchor.AsSpan(0, level.Cells);
            var acc = ws.Accumulated.AsSpan(0, level.Cells);
            CellMapScalar.Build(map, level, cells, argAnchor);
            cells.CopyTo(acc);
            BoxFilterScalar.Apply(acc, ws.Scratch.AsSpan(0, level.Cells), h, w, variant.Radius, variant.Passes);

            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    if (!KeepCell(acc, cells, h, w, y, x, variant.ScoreThreshold, variant.MagnitudeBound)) continue;
                    var c = y * w + x;
                    var score = variant.EmitAccumulated ? acc[c] : cells[c];
                    output.AddFromMap(map, CellMapScalar.FlatIndexOf(level, c, argAnchor[c]), score);
                }
            }
        }
    }

    /// <summary>Steps 2–4 for one cell: gradient, direction peak on S̃, confidence and magnitude clip.</summary>
    public static bool KeepCell(ReadOnlySpan<float> acc, ReadOnlySpan<float> cells, int h, int w, int y, int x,
                                float scoreThreshold, float magnitudeBound)
    {
        var gx = (acc[y * w + BoxFilterScalar.Clamp(x + 1, w)] - acc[y * w + BoxFilterScalar.Clamp(x - 1, w)]) * 0.5f;
        var gy = (acc[BoxFilterScalar.Clamp(y + 1, h) * w + x] - acc[BoxFilterScalar.Clamp(y - 1, h) * w + x]) * 0.5f;
        var m = MathF.Sqrt(gx * gx + gy * gy);
        var c = y * w + x;
        return SurvivesDirectionPeak(acc, h, w, y, x, gx, gy, m) && Keep(cells[c], acc[c], m, scoreThreshold, magnitudeBound);
    }

    /// <summary>Step 3: the peak test on S̃ along the gradient direction (8 neighbours when m ≤ 1e-7).</summary>
    public static bool SurvivesDirectionPeak(ReadOnlySpan<float> acc, int h, int w, int y, int x, float gx, float gy, float m)
    {
        var direction = GradientDirection.Of(gx, gy, m);
        if (direction == GradientDirection.Flat) return PeakRule.IsPeak8(acc, h, w, y, x);
        var (dy, dx) = GradientDirection.Neighbour(direction);
        return PeakRule.BeatsNeighbour(acc, h, w, y, x, dy, dx) && PeakRule.BeatsNeighbour(acc, h, w, y, x, -dy, -dx);
    }

    /// <summary>Step 4: keep iff S ≥ τs and, where τg is set, m / max(S̃, 1e-6) ≤ τg.</summary>
    public static bool Keep(float s, float accumulated, float m, float scoreThreshold, float magnitudeBound) =>
        s >= scoreThreshold && (float.IsNaN(magnitudeBound) || m / BoxIou.Max(accumulated, GradientDirection.MinAccumulated) <= magnitudeBound);
}

/// <summary>Step 3's quantisation of the gradient direction (Canny), shared by every backend.</summary>
public static class GradientDirection
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

    public static int Of(float gx, float gy, float m)
    {
        if (m <= FlatMagnitude) return Flat;
        var ax = MathF.Abs(gx);
        var ay = MathF.Abs(gy);
        if (ay <= TanPiOver8 * ax) return Horizontal;
        if (ax <= TanPiOver8 * ay) return Vertical;
        return gx * gy > 0f ? Diagonal : AntiDiagonal;
    }

    /// <summary>One of the two neighbours (dy, dx) of a direction; the other is (−dy, −dx).</summary>
    public static (int Dy, int Dx) Neighbour(int direction) => direction switch
    {
        Horizontal => (0, 1),
        Vertical => (1, 0),
        Diagonal => (1, 1),
        AntiDiagonal => (-1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(direction)),
    };
}
