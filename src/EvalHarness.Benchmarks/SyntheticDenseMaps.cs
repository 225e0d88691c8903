using EvalHarness.PostProcessing;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Benchmark inputs: maps of the synthetic detector (BlazeFace-back-shaped tiled output) for
/// images sized so the map has exactly the benchmarked candidate counts, which are deliberately
/// not multiples of the vector widths.
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

    /// <summary>The synthetic detector's map for one image of that size (the same generator the quick suite uses).</summary>
    public static CandidateMap BlazeFaceLike(int width, int height, int seed) =>
        EvalHarness.Detectors.Synthetic.SyntheticCandidateSource.SingleMap(width, height, seed);
}
