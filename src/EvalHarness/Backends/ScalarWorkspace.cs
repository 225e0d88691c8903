using EvalHarness.PostProcessing;

namespace EvalHarness.Backends;

/// <summary>Reusable buffers of the scalar backend (one instance per backend, so steady state allocates nothing).</summary>
internal sealed class ScalarWorkspace
{
    /// <summary>Candidates that passed the score filter, in flat order.</summary>
    public DetectionList Passing { get; } = new();

    /// <summary>The grid stage's survivors when an NMS stage follows.</summary>
    public DetectionList Emitted { get; } = new();

    public SortedCandidates Sorted { get; } = new();
    public SortScratch Sort { get; } = new();
    public NmsScratch Nms { get; } = new();
    public GridPlanes Planes { get; } = new();
}
