using EvalHarness.Datasets;
using EvalHarness.PostProcessing;

namespace EvalHarness.Sources;

/// <summary>
/// Where dense candidate maps come from: a real detector, the cache, or the synthetic detector.
/// Every later stage reads candidates through this interface only, so variants and backends
/// replay identical candidates.
/// </summary>
public interface ICandidateSource : IDisposable
{
    /// <summary>A stable description of what produces the candidates (model hash, mode, parameters) for manifests.</summary>
    string Describe();

    IReadOnlyList<ImageRef> Images { get; }

    /// <summary>The ground truth for <see cref="Images"/> (same order); the synthetic detector generates its own.</summary>
    GroundTruth GroundTruth { get; }

    /// <summary>Fills <paramref name="map"/> with the candidates of image <paramref name="index"/>. Throws <see cref="IO.EvalHarnessException"/> for a bad image.</summary>
    void Load(int index, CandidateMap map, CancellationToken cancellationToken = default);
}
