using System.Globalization;
using CsCheck;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends;

/// <summary>How a generated map's scores are drawn.</summary>
public enum ScoreMode
{
    /// <summary>Uniform in [0, 1).</summary>
    Uniform,
    /// <summary>Mostly background below 0.03, a few high: what a detector emits.</summary>
    Sparse,
    /// <summary>A handful of values (0, 0.0199999, 0.02, 0.25, 0.5, 1): many ties and scores exactly at τs.</summary>
    Quantized,
    /// <summary>Smooth blobs (sums of gaussians), quantised to 1/64 so plateaus occur.</summary>
    Blobs,
    /// <summary>Every score 0.5.</summary>
    Constant,
}

/// <summary>How a generated map's boxes are drawn.</summary>
public enum BoxMode
{
    /// <summary>Around the cell's centre with jitter and sizes of 1–3 strides: realistic overlaps.</summary>
    Anchored,
    /// <summary>Small integer coordinates: exact IoU values such as 0.4 and 0.5 occur.</summary>
    SmallIntegers,
    /// <summary>Zero-area, inverted and identical boxes mixed with normal ones.</summary>
    Degenerate,
    /// <summary>Every box the same.</summary>
    Identical,
}

/// <summary>A level of a generated map.</summary>
public readonly record struct LevelRecipe(int Height, int Width, int Anchors, float Stride);

/// <summary>
/// A reproducible dense map: CsCheck generates (and shrinks) this small recipe, and
/// <see cref="Build"/> expands it deterministically, so a failing case prints as one line.
/// </summary>
public sealed record DenseMapRecipe(LevelRecipe[] Levels, ScoreMode Scores, BoxMode Boxes, int Seed)
{
    public int Count
    {
        get
        {
            var n = 0;
            foreach (var l in Levels) n += l.Height * l.Width * l.Anchors;
            return n;
        }
    }

    public CandidateMap Build()
    {
        var shapes = new (int, int, int, float)[Levels.Length];
        for (var i = 0; i < Levels.Length; i++) shapes[i] = (Levels[i].Height, Levels[i].Width, Levels[i].Anchors, Levels[i].Stride);
        var map = new CandidateMap(shapes);
        var rng = new Random(Seed);
        foreach (var level in map.Levels) FillLevel(map, level, rng);
        return map;
    }

    private void FillLevel(CandidateMap map, LevelShape level, Random rng)
    {
        var blobs = new (float Y, float X, float Sigma, float Peak)[1 + rng.Next(4)];
        for (var b = 0; b < blobs.Length; b++)
        {
            blobs[b] = ((float)rng.NextDouble() * level.Height, (float)rng.NextDouble() * level.Width, 0.5f + 2f * (float)rng.NextDouble(), 0.3f + 0.7f * (float)rng.NextDouble());
        }
        float[] quantized = [0f, 0.0199999f, 0.02f, 0.25f, 0.5f, 1f];
        for (var y = 0; y < level.Height; y++)
        {
            for (var x = 0; x < level.Width; x++)
            {
                for (var a = 0; a < level.Anchors; a++)
                {
                    var score = Scores switch
                    {
                        ScoreMode.Uniform => (float)rng.NextDouble(),
                        ScoreMode.Sparse => rng.Next(20) == 0 ? (float)rng.NextDouble() : 0.03f * (float)rng.NextDouble(),
                        ScoreMode.Quantized => quantized[rng.Next(quantized.Length)],
                        ScoreMode.Blobs => Blob(blobs, y, x, a),
                        _ => 0.5f,
                    };
                    var (x1, y1, x2, y2) = Box(level, y, x, rng);
                    map.Set(level.FlatIndex(y, x, a), score, x1, y1, x2, y2);
                }
            }
        }
    }

    private static float Blob((float Y, float X, float Sigma, float Peak)[] blobs, int y, int x, int a)
    {
        var v = 0f;
        foreach (var b in blobs)
        {
            var d2 = (y - b.Y) * (y - b.Y) + (x - b.X) * (x - b.X);
            v = MathF.Max(v, b.Peak * MathF.Exp(-d2 / (2 * b.Sigma * b.Sigma)));
        }
        v *= 1f - 0.1f * a;
        return MathF.Round(v * 64f) / 64f;
    }

    private (float, float, float, float) Box(LevelShape level, int y, int x, Random rng)
    {
        switch (Boxes)
        {
            case BoxMode.SmallIntegers:
            {
                float x1 = rng.Next(12), y1 = rng.Next(12);
                return (x1, y1, x1 + rng.Next(1, 6), y1 + rng.Next(1, 6));
            }
            case BoxMode.Degenerate:
            {
                float x1 = rng.Next(10), y1 = rng.Next(10);
                return rng.Next(4) switch
                {
                    0 => (x1, y1, x1, y1 + 3),            // zero width
                    1 => (x1 + 4, y1 + 4, x1, y1),        // inverted
                    2 => (2, 2, 6, 6),                    // identical
                    _ => (x1, y1, x1 + rng.Next(1, 5), y1 + rng.Next(1, 5)),
                };
            }
            case BoxMode.Identical:
                return (1.5f, 2.5f, 11.5f, 12.5f);
            default:
            {
                var cx = (x + 0.5f) * level.Stride + (float)(rng.NextDouble() - 0.5) * level.Stride;
                var cy = (y + 0.5f) * level.Stride + (float)(rng.NextDouble() - 0.5) * level.Stride;
                var size = level.Stride * (1f + 2f * (float)rng.NextDouble());
                return (cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2);
            }
        }
    }

    public override string ToString()
    {
        var levels = string.Join(",", Array.ConvertAll(Levels, l => string.Create(CultureInfo.InvariantCulture, $"{l.Height}x{l.Width}x{l.Anchors}@{l.Stride}")));
        return $"map[{levels}] scores={Scores} boxes={Boxes} seed={Seed} (n={Count})";
    }
}

/// <summary>CsCheck generators of dense maps and variant parameters (shared by the SIMD and GPU backend tests).</summary>
public static class DenseMapGen
{
    private static readonly float[] Strides = [8f, 16f, 32f];

    /// <summary>Levels around the vector widths: 0–12 rows, 0–40 columns (one-cell and empty grids included), 1–3 anchors.</summary>
    public static readonly Gen<LevelRecipe> Level =
        Gen.Select(Gen.Int[0, 12], Gen.Int[0, 40], Gen.Int[1, 3], Gen.Int[0, 2])
           .Select((h, w, a, s) => new LevelRecipe(h, w, a, Strides[s]));

    public static readonly Gen<LevelRecipe> OneCellLevel =
        Gen.Select(Gen.Int[1, 4], Gen.Int[0, 2]).Select((a, s) => new LevelRecipe(1, 1, a, Strides[s]));

    /// <summary>1–3 levels (at most ~1500 candidates, so O(N²) oracles stay quick).</summary>
    public static readonly Gen<DenseMapRecipe> Map =
        Gen.Select(Gen.Frequency((6, Level), (1, OneCellLevel)).Array[1, 3], Gen.Enum<ScoreMode>(), Gen.Enum<BoxMode>(), Gen.Int)
           .Select((levels, scores, boxes, seed) => new DenseMapRecipe(levels, scores, boxes, seed));

    /// <summary>Maps of 64k+ candidates (BlazeFace-like levels of a big image).</summary>
    public static readonly Gen<DenseMapRecipe> LargeMap =
        Gen.Select(Gen.Enum<ScoreMode>(), Gen.Enum<BoxMode>(), Gen.Int)
           .Select((scores, boxes, seed) => new DenseMapRecipe(
               [new LevelRecipe(128, 192, 2, 8f), new LevelRecipe(64, 96, 2, 16f), new LevelRecipe(32, 48, 6, 32f)], scores, boxes, seed));

    /// <summary>The real detectors' level layouts (network-input strides): BlazeFace back (16×16×2, 8×8×6), face-api SSD MobileNet V1 (six levels 32…1 with 3 then 6 anchors per cell, 5118 candidates, 1×1 and 2×2 grids) and Tiny Face Detector (13×13×5).</summary>
    public static readonly LevelRecipe[][] DetectorLayouts =
    [
        [new(16, 16, 2, 16f), new(8, 8, 6, 32f)],
        [new(32, 32, 3, 16f), new(16, 16, 6, 32f), new(8, 8, 6, 64f), new(4, 4, 6, 128f), new(2, 2, 6, 256f), new(1, 1, 6, 512f)],
        [new(13, 13, 5, 32f)],
    ];

    /// <summary>Maps shaped like a real detector's output (<see cref="DetectorLayouts"/>), every score and box mode.</summary>
    public static readonly Gen<DenseMapRecipe> DetectorMap =
        Gen.Select(Gen.Int[0, DetectorLayouts.Length - 1], Gen.Enum<ScoreMode>(), Gen.Enum<BoxMode>(), Gen.Int)
           .Select((layout, scores, boxes, seed) => new DenseMapRecipe(DetectorLayouts[layout], scores, boxes, seed));

    /// <summary>A flat list (one 1 × N level, one anchor).</summary>
    public static readonly Gen<DenseMapRecipe> FlatList =
        Gen.Select(Gen.Int[0, 600], Gen.Enum<ScoreMode>(), Gen.Enum<BoxMode>(), Gen.Int)
           .Select((n, scores, boxes, seed) => new DenseMapRecipe([new LevelRecipe(1, n, 1, 1f)], scores, boxes, seed));

    /// <summary>Random parameters for <paramref name="kind"/>, including the boundary values (0, τs, 1, tiny caps).</summary>
    public static Gen<VariantSpec> Variant(VariantKind kind) =>
        Gen.Select(
                Gen.OneOf(Gen.Const(0f), Gen.Const(0.02f), Gen.Const(0.25f), Gen.Const(0.5f), Gen.Float[0f, 1f]),
                Gen.OneOf(Gen.Const(0f), Gen.Const(0.3f), Gen.Const(0.4f), Gen.Const(0.5f), Gen.Const(1f), Gen.Float[0f, 1f]),
                Gen.OneOf(Gen.Const(0.5f), Gen.Const(0.1f), Gen.Const(2f)),
                Gen.Frequency((3, Gen.Const((int?)null)), (1, Gen.Int[1, 60].Select(i => (int?)i))),
                Gen.Frequency((3, Gen.Const((int?)null)), (1, Gen.Int[1, 60].Select(i => (int?)i))),
                Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3]),
                Gen.OneOf(Gen.Const(float.NaN), Gen.Const(0f), Gen.Const(0.25f), Gen.Const(1f)),
                Gen.Bool)
           .Select((score, iou, sigma, pre, keep, rk, mag, emit) =>
           {
               var spec = VariantSpec.Default(kind) with
               {
                   ScoreThreshold = score,
                   IouThreshold = iou,
                   Sigma = sigma,
                   PreTopK = pre,
                   KeepTopK = keep,
                   Radius = rk.Item1,
                   Passes = rk.Item2,
                   EmitAccumulated = emit && kind.IsGradientClipping(),
               };
               return kind == VariantKind.GcMagNms || (kind.IsGradientClipping() && !float.IsNaN(mag)) ? spec with { MagnitudeBound = mag } : spec;
           });
}
