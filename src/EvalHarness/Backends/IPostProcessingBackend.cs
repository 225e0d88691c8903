using EvalHarness.PostProcessing;

namespace EvalHarness.Backends;

/// <summary>
/// One way of executing the variants: <c>scalar</c> (the oracle), <c>simd</c>, <c>gpu</c>. A
/// backend owns reusable workspaces, so one instance is used by one thread at a time. A backend
/// that lacks a variant returns false from <see cref="Supports"/> and the results say "n/a";
/// it never falls back to another backend silently.
/// </summary>
public interface IPostProcessingBackend : IDisposable
{
    /// <summary>Stable id used in CSVs and on the command line.</summary>
    string Name { get; }

    /// <summary>What actually executes, for the results (e.g. "AVX-512 (Vector512)", "CUDA: NVIDIA H200").</summary>
    string Device { get; }

    bool Supports(VariantKind kind);

    /// <summary>
    /// True when <see cref="RunBatch"/> amortises a fixed cost per call (GPU launches and
    /// transfers): <c>run</c> then hands it batches of images instead of one image at a time.
    /// </summary>
    bool PrefersBatches => false;

    /// <summary>Runs <paramref name="variant"/> on one image; <paramref name="output"/> is cleared first.</summary>
    void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false);

    /// <summary>Runs a batch; backends with launch overhead (GPU) override this to amortise it.</summary>
    void RunBatch(IReadOnlyList<CandidateMap> maps, VariantSpec variant, IReadOnlyList<DetectionList> outputs)
    {
        for (var i = 0; i < maps.Count; i++) Run(maps[i], variant, outputs[i]);
    }
}
