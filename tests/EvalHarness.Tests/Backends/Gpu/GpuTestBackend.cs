using EvalHarness.Backends;
using EvalHarness.Backends.Gpu;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>
/// One GPU backend on ILGPU's CPU simulator for the whole test run: creating a context and
/// loading the kernels costs far more than the small maps the tests run, so every test borrows
/// this instance through a wrapper whose Dispose does nothing. Borrowers take the lock, because a
/// backend serves one thread at a time.
/// </summary>
internal static class GpuTestBackend
{
    private static readonly Lazy<GpuBackend> Shared = new(() =>
    {
        var backend = GpuBackend.TryCreate(GpuAcceleratorKind.CpuSimulator, out var reason) ?? throw new InvalidOperationException(reason);
        // ILGPU.Algorithms' radix sort costs about a second per call on the simulator; the device
        // sort path has its own tests (GpuRadixSortPathTests).
        backend.SortKeysOnHost = true;
        return backend;
    });

    public static readonly object Gate = new();

    public static GpuBackend Instance => Shared.Value;

    public static IPostProcessingBackend Borrow() => new Borrowed(Shared.Value);

    private sealed class Borrowed(GpuBackend inner) : IPostProcessingBackend
    {
        public string Name => inner.Name;
        public string Device => inner.Device;
        public bool Supports(VariantKind kind) => inner.Supports(kind);
        public bool PrefersBatches => inner.PrefersBatches;

        public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
        {
            lock (Gate) inner.Run(map, variant, output, flatInput);
        }

        public void RunBatch(IReadOnlyList<CandidateMap> maps, VariantSpec variant, IReadOnlyList<DetectionList> outputs)
        {
            lock (Gate) inner.RunBatch(maps, variant, outputs);
        }

        public void Dispose() { }
    }
}
