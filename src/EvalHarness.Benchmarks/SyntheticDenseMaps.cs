using EvalHarness.PostProcessing;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Deterministic, realistic dense maps for benchmarks, shaped like tiled BlazeFace output: per
/// 256-px tile a 16×16×2 level (stride 16) and an 8×8×6 level (stride 32). Tiles sit at
/// multiples of the largest stride, so tiling a W×H image gives exactly the global grids
/// (W/16)×(H/16)×2 and (W/32)×(H/32)×6, which are generated directly. Faces are score blobs
/// (peak 0.6–0.99, spread with face size, strongest on the level whose stride suits the face)
/// with boxes that jitter more the further the anchor is from the face centre; the background
/// is mostly below τs = 0.02 with a sprinkle of weak false positives. (The harness's real
/// synthetic detector lives elsewhere; this only has to be repeatable and plausible.)
/// </summary>
public static class SyntheticDenseMaps
{
    /// <summary>Candidate count of a W×H image (W, H multiples of 32): 14·(W/32)·(H/32).</summary>
    public static int CandidateCount(int width, int height) => (width / 16) * (height / 16) * 2 + (width / 32) * (height / 32) * 6;

    /// <summary>The image size used for each benchmarked candidate count (4:3-ish, not multiples of the vector width).</summary>
    public static (int Width, int Height) ImageFor(int candidates) => candidates switch
    {
        980 => (320, 224),
        4200 => (640, 480),
        16800 => (1280, 960),
        67200 => (2560, 1920),
        _ => throw new ArgumentOutOfRangeException(nameof(candidates), candidates, "use 980, 4200, 16800 or 67200"),
    };

    public static CandidateMap BlazeFaceLike(int width, int height, int seed)
    {
        var map = new CandidateMap([(height / 16, width / 16, 2, 16f), (height / 32, width / 32, 6, 32f)]);
        map.ImageWidth = width;
        map.ImageHeight = height;
        var rng = new Random(seed);

        var faceCount = Math.Max(2, width * height / 30000);
        var faces = new (float Cx, float Cy, float Size, float Peak)[faceCount];
        for (var f = 0; f < faceCount; f++)
        {
            var size = 12f + 150f * MathF.Pow((float)rng.NextDouble(), 2f);
            faces[f] = ((float)rng.NextDouble() * width, (float)rng.NextDouble() * height, size, 0.6f + 0.39f * (float)rng.NextDouble());
        }

        foreach (var level in map.Levels)
        {
            for (var y = 0; y < level.Height; y++)
            {
                for (var x = 0; x < level.Width; x++)
                {
                    var ax = (x + 0.5f) * level.Stride;
                    var ay = (y + 0.5f) * level.Stride;
                    for (var a = 0; a < level.Anchors; a++)
                    {
                        var (score, box) = Candidate(rng, faces, level.Stride, ax, ay, a);
                        map.Set(level.FlatIndex(y, x, a), score, box.X1, box.Y1, box.X2, box.Y2);
                    }
                }
            }
        }
        return map;
    }

    private static (float Score, (float X1, float Y1, float X2, float Y2) Box) Candidate(
        Random rng, (float Cx, float Cy, float Size, float Peak)[] faces, float stride, float ax, float ay, int anchor)
    {
        var best = 0f;
        var face = -1;
        for (var f = 0; f < faces.Length; f++)
        {
            var (cx, cy, size, peak) = faces[f];
            var sigma = MathF.Max(size * 0.35f, stride * 0.5f);
            var d2 = (ax - cx) * (ax - cx) + (ay - cy) * (ay - cy);
            // Faces much smaller than two strides are weak on the coarse level, big faces weak on the fine one.
            var scaleFit = MathF.Exp(-MathF.Pow(MathF.Log(size / (stride * 2f)), 2f) / 2f);
            var s = peak * scaleFit * MathF.Exp(-d2 / (2f * sigma * sigma)) * (1f - 0.04f * anchor);
            if (s > best)
            {
                best = s;
                face = f;
            }
        }

        var background = rng.Next(40) == 0 ? 0.02f + 0.1f * (float)rng.NextDouble() : 0.015f * (float)rng.NextDouble();
        if (face < 0 || best < background)
        {
            var half = stride * (0.5f + (float)rng.NextDouble());
            return (background, (ax - half, ay - half, ax + half, ay + half));
        }

        var (fx, fy, fs, _) = faces[face];
        var dist = MathF.Sqrt((ax - fx) * (ax - fx) + (ay - fy) * (ay - fy)) / fs;
        var jitter = fs * (0.04f + 0.25f * dist);
        float J() => ((float)rng.NextDouble() - 0.5f) * 2f * jitter;
        var hw = fs / 2f;
        return (best, (fx - hw + J(), fy - hw + J(), fx + hw + J(), fy + hw + J()));
    }
}
