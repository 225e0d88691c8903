using EvalHarness.IO;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace EvalHarness.Backends.Gpu;

/// <summary>Which accelerator a <see cref="GpuBackend"/> may use.</summary>
public enum GpuAcceleratorKind
{
    /// <summary>A CUDA device, else an OpenCL GPU; nothing else (the benchmark setting).</summary>
    Gpu,

    /// <summary>
    /// ILGPU's CPU accelerator, a simulator: only for tests and the <c>gpu-check --accelerator cpu</c>
    /// self-test. Its timings mean nothing, so it is never offered as a benchmark backend.
    /// </summary>
    CpuSimulator,
}

/// <summary>An ILGPU context and the one accelerator picked from it; disposing releases both.</summary>
internal sealed class GpuContext : IDisposable
{
    public Context Context { get; }
    public Accelerator Accelerator { get; }

    /// <summary>For the results, e.g. "CUDA: NVIDIA H200".</summary>
    public string Description { get; }

    private GpuContext(Context context, Accelerator accelerator, string description)
    {
        Context = context;
        Accelerator = accelerator;
        Description = description;
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }

    /// <summary>
    /// CUDA first, then an OpenCL GPU. Returns false with a reason (for the "n/a" line) when there
    /// is neither, or when a present device cannot be opened.
    /// </summary>
    public static bool TryCreate(GpuAcceleratorKind kind, out GpuContext? gpu, out string reason)
    {
        gpu = null;
        Context? context = null;
        try
        {
            if (kind == GpuAcceleratorKind.CpuSimulator)
            {
                // Groups of 4 threads on two simulated multiprocessors: every simulated thread is an OS
                // thread whose barriers cost milliseconds, and the kernels stride by the group size anyway.
                context = CreateContext(b => b.CPU(new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 1, numMultiprocessors: 2)));
                var cpu = context.CreateCPUAccelerator(0);
                gpu = new GpuContext(context, cpu, $"ILGPU CPU simulator ({cpu.Name}) - tests only");
                reason = "";
                return true;
            }

            context = CreateContext(b => b.Cuda().OpenCL(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU));
            foreach (var device in context.GetCudaDevices())
            {
                var accelerator = device.CreateAccelerator(context);
                gpu = new GpuContext(context, accelerator, $"CUDA: {accelerator.Name}");
                reason = "";
                return true;
            }
            foreach (var device in context.GetCLDevices())
            {
                var accelerator = device.CreateAccelerator(context);
                // WHY the note: ILGPU's OpenCL C output leaves float contraction to the driver, so
                // a*b+c may be fused there; equivalence on OpenCL is checked by gpu-check, not assumed.
                gpu = new GpuContext(context, accelerator, $"OpenCL: {accelerator.Name} (fp-contract: driver default)");
                reason = "";
                return true;
            }
            context.Dispose();
            reason = "no CUDA/OpenCL device";
            return false;
        }
        catch (AcceleratorException ex)
        {
            context?.Dispose();
            reason = $"GPU present but unusable: {ex.Message}";
            return false;
        }
        catch (DllNotFoundException ex)
        {
            context?.Dispose();
            reason = $"no CUDA/OpenCL runtime: {ex.Message}";
            return false;
        }
    }

    private static Context CreateContext(Action<Context.Builder> accelerators) =>
        Context.Create(builder =>
        {
            accelerators(builder);
            // Default math mode keeps IEEE division and square root (no approximations), which
            // the bit-identical grid variants rely on; O1 is ILGPU's release level.
            builder.Math(MathMode.Default).Optimize(OptimizationLevel.O1).EnableAlgorithms();
        });
}

/// <summary>The GPU backend could not start, or the device failed during a run; CPU results stay valid.</summary>
internal sealed class GpuBackendException : EvalHarnessException
{
    public GpuBackendException(string message) : base(message) { }
    public GpuBackendException(string message, Exception inner) : base(message, inner) { }
}
