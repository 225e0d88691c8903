using System.Runtime.Intrinsics;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.PostProcessing;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Benchmark inputs: maps of the synthetic detector (BlazeFace-back-shaped stitched output) for
/// images whose size is derived from the SIMD vector widths, so that no vector loop ends on a lane
/// boundary and the scalar tails are part of what is timed (a size that is a multiple of 16, like
/// the 16 800 and 67 200 used before, would skip them on every width):
/// <list type="bullet">
/// <item>the candidate count is n = k·L + L − g, with L = <see cref="Vector512{T}.Count"/> of float
/// (16, the widest) and g = 2 the greatest common divisor of the levels' anchor counts (2 and 6, so
/// n is always even and L − 1 is out of reach): the largest tail an even count can leave. The
/// narrower widths (Vector256: 8, Vector128: 4) divide L, so they are left with 6 and 2;</item>
/// <item>every level's inner row (the w − 2 cells the grid rules' vector loop covers) is not a whole
/// number of Vector128 lanes, hence of no wider vector either.</item>
/// </list>
/// The sizes are searched near the nominal counts (980, 4200, 16 800, 67 200: 320×224 to
/// 2560×1920 images) among landscape images from square to 16:9; they come out as 942, 4062,
/// 16 574 and 67 310 candidates (272×240 to 2896×1696), the same on every machine:
/// <see cref="Vector512{T}.Count"/> is 16 floats whether or not the CPU has AVX-512.
/// </summary>
public static class SyntheticDenseMaps
{
    /// <summary>The nominal candidate counts the benchmark sizes are chosen near.</summary>
    public static IReadOnlyList<int> NominalCounts { get; } = [980, 4200, 16800, 67200];

    private static readonly (int Stride, int Anchors)[] Levels = new SyntheticOptions().Levels;

    private static int WidestLanes => Vector512<float>.Count;

    private static int NarrowestLanes => Vector128<float>.Count;

    /// <summary>Every candidate count is a multiple of this (the gcd of the anchor counts).</summary>
    private static int AnchorStep => Levels.Aggregate(0, (g, level) => Gcd(g, level.Anchors));

    /// <summary>Candidate count of the synthetic map of a W×H image: Σ over levels of ⌈H/s⌉·⌈W/s⌉·anchors.</summary>
    public static int CandidateCount(int width, int height)
    {
        var count = 0;
        foreach (var (stride, anchors) in Levels) count += CeilDiv(height, stride) * CeilDiv(width, stride) * anchors;
        return count;
    }

    /// <summary>Whether a W×H image leaves a scalar tail in every vector loop (see the type's summary).</summary>
    public static bool LeavesTails(int width, int height)
    {
        if (CandidateCount(width, height) % WidestLanes != WidestLanes - AnchorStep) return false;
        foreach (var (stride, _) in Levels)
        {
            var inner = CeilDiv(width, stride) - 2;
            if (inner < NarrowestLanes || inner % NarrowestLanes == 0) return false;
        }
        return true;
    }

    /// <summary>The benchmark's candidate count nearest to <paramref name="target"/> (exact when <paramref name="target"/> is one).</summary>
    public static int CountNear(int target) => ImageNear(target).Count;

    /// <summary>The image for a benchmarked candidate count (one that <see cref="CountNear"/> returned).</summary>
    public static (int Width, int Height) ImageFor(int candidates)
    {
        var (width, height, count) = ImageNear(candidates);
        if (count != candidates)
        {
            throw new ArgumentOutOfRangeException(nameof(candidates), candidates,
                $"no benchmark image has exactly {candidates} candidates with tails on every vector width; the nearest has {count}");
        }
        return (width, height);
    }

    /// <summary>
    /// The landscape image (aspect 1 to 1.8, sides multiples of 16) that leaves tails and whose
    /// count is nearest to <paramref name="target"/>; ties go to the aspect nearest 4:3.
    /// </summary>
    private static (int Width, int Height, int Count) ImageNear(int target)
    {
        var best = (Width: 0, Height: 0, Count: 0);
        var bestDistance = long.MaxValue;
        var bestAspect = double.MaxValue;
        for (var height = 64; height <= 4096; height += 16)
        {
            for (var width = height; width * 5 <= height * 9; width += 16)
            {
                if (!LeavesTails(width, height)) continue;
                var count = CandidateCount(width, height);
                long distance = Math.Abs(count - target);
                var aspect = Math.Abs(((double)width / height) - (4.0 / 3.0));
                if (distance < bestDistance || (distance == bestDistance && aspect < bestAspect))
                {
                    (best, bestDistance, bestAspect) = ((width, height, count), distance, aspect);
                }
            }
        }
        return best;
    }

    /// <summary>The synthetic detector's map for one image of that size (the same generator the quick suite uses).</summary>
    public static CandidateMap BlazeFaceLike(int width, int height, int seed) =>
        SyntheticCandidateSource.SingleMap(width, height, seed);

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
