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

    /// <summary>Far above the slowest simulated batch of the suite (a few seconds).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    private static volatile string? s_wedged;

    public static GpuBackend Instance => Shared.Value;

    /// <summary>
    /// Runs <paramref name="action"/> on the shared backend under the gate, on its own thread with a
    /// deadline. A kernel thread that throws on ILGPU's CPU simulator leaves the group's other
    /// threads waiting at a barrier for ever; without the deadline one broken kernel would hang the
    /// whole test run (and CI) instead of failing the tests that reach it.
    /// </summary>
    public static void Use(Action<GpuBackend> action)
    {
        if (s_wedged is { } reason) throw new TimeoutException(reason);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var worker = new Thread(() =>
        {
            try
            {
                lock (Gate) action(Shared.Value);
            }
            catch (Exception ex)
            {
                error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            }
        })
        { IsBackground = true, Name = "gpu-simulator-test" };
        worker.Start();
        if (!worker.Join(Deadline))
        {
            s_wedged = $"the GPU simulator did not finish a batch within {Deadline.TotalSeconds:0} s (a kernel thread probably threw and left its group at a barrier); later GPU tests fail at once";
            throw new TimeoutException(s_wedged);
        }
        error?.Throw();
    }

    public static IPostProcessingBackend Borrow() => new Borrowed(Shared.Value);

    private sealed class Borrowed(GpuBackend inner) : IPostProcessingBackend
    {
        public string Name => inner.Name;
        public string Device => inner.Device;
        public bool Supports(VariantKind kind) => inner.Supports(kind);
        public bool PrefersBatches => inner.PrefersBatches;

        public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
        {
            Use(_ => inner.Run(map, variant, output, flatInput));
        }

        public void RunBatch(IReadOnlyList<CandidateMap> maps, VariantSpec variant, IReadOnlyList<DetectionList> outputs)
        {
            Use(_ => inner.RunBatch(maps, variant, outputs));
        }

        public void Dispose() { }
    }
}
