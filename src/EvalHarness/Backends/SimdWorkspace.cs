using EvalHarness.PostProcessing;

namespace EvalHarness.Backends;

/// <summary>
/// Buffers of the SIMD backend, grown on demand and reused for every image (steady state allocates
/// nothing). Every array has <see cref="SortedCandidates.Slack"/> spare entries so a kernel may load
/// a whole vector at its last valid index; lanes past the end are masked, never trusted.
/// </summary>
internal sealed class SimdWorkspace
{
    /// <summary>The grid stage's survivors when an NMS stage follows.</summary>
    public DetectionList Emitted { get; } = new();

    public SortedCandidates Sorted { get; } = new();
    public SortScratch Sort { get; } = new();
    public SimdNmsScratch Nms { get; } = new();
    public GridPlanes Planes { get; } = new();
}
