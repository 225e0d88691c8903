namespace EvalHarness.Backends.Gpu;

/// <summary>
/// The GPU this machine offers the gpu backend, for env.json: a CUDA device, else an OpenCL GPU,
/// as <see cref="GpuBackend"/> would pick it. Never ILGPU's CPU simulator (slow to start, and no GPU).
/// Probed once per process.
/// </summary>
internal static class GpuProbe
{
    private static readonly Lazy<(string? Device, string? Reason)> Result = new(Probe);

    /// <summary>The device (e.g. "CUDA: NVIDIA H200") and null, or null and why there is none.</summary>
    public static (string? Device, string? Reason) Describe() => Result.Value;

    private static (string? Device, string? Reason) Probe()
    {
        if (!GpuContext.TryCreate(GpuAcceleratorKind.Gpu, out var gpu, out var reason)) return (null, reason);
        using (gpu)
        {
            return (gpu!.Description, null);
        }
    }
}
