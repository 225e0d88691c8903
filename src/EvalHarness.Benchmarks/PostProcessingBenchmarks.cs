using BenchmarkDotNet.Attributes;
using EvalHarness.Backends;
using EvalHarness.PostProcessing;

namespace EvalHarness.Benchmarks;

/// <summary>
/// One image through one variant: scalar (baseline) vs SIMD, on BlazeFace-like dense maps of about
/// 980 / 4200 / 16800 / 67200 candidates, sized off the vector widths so every SIMD loop runs its
/// scalar tail (<see cref="SyntheticDenseMaps"/>: the counts are k·16 + 14). Each method is named
/// after its backend; ids are permanent. Setup (map, backend warm-up) is outside the measured code
/// and the same seed gives the same map every run. Narrow the grid with <c>--variants</c>/<c>--counts</c>
/// (a count given there is moved to the nearest benchmark size).
/// </summary>
public class PostProcessingBenchmarks : IDisposable
{
    private CandidateMap _map = null!;
    private VariantSpec _spec = null!;
    private readonly ScalarBackend _scalar = new();
    private readonly SimdBackend _simd = new();
    private readonly DetectionList _output = new();

    [ParamsSource(nameof(Variants))]
    public string Variant { get; set; } = "nms";

    [ParamsSource(nameof(Counts))]
    public int Candidates { get; set; }

    public static IEnumerable<string> Variants() =>
        Environment.GetEnvironmentVariable(BenchmarkConfig.VariantsVariable) is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : VariantRegistry.Names;

    public static IEnumerable<int> Counts()
    {
        IEnumerable<int> targets = Environment.GetEnvironmentVariable(BenchmarkConfig.CountsVariable) is { Length: > 0 } list
            ? Array.ConvertAll(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), int.Parse)
            : SyntheticDenseMaps.NominalCounts;
        return targets.Select(SyntheticDenseMaps.CountNear).Distinct();
    }

    public void Dispose()
    {
        _scalar.Dispose();
        _simd.Dispose();
        GC.SuppressFinalize(this);
    }

    [GlobalSetup]
    public void Setup()
    {
        var (w, h) = SyntheticDenseMaps.ImageFor(Candidates);
        _map = SyntheticDenseMaps.BlazeFaceLike(w, h, seed: 20240601);
        if (_map.Count != Candidates) throw new InvalidOperationException($"map has {_map.Count} candidates, expected {Candidates}");
        _spec = VariantSpec.Parse(Variant);
        // Grow every workspace once, so the measured runs are steady state.
        _scalar.Run(_map, _spec, _output);
        _simd.Run(_map, _spec, _output);
    }

    [Benchmark(Baseline = true)]
    public int Scalar()
    {
        _scalar.Run(_map, _spec, _output);
        return _output.Count;
    }

    [Benchmark]
    public int Simd()
    {
        _simd.Run(_map, _spec, _output);
        return _output.Count;
    }
}
