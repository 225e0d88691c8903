using EvalHarness.Backends.Gpu;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using ILGPU.Runtime.Cuda;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>
/// A device that runs out of memory or disappears mid-run surfaces as <see cref="GpuBackendException"/>
/// (a harness error the run records as a failed backend), never as a raw ILGPU or runtime exception.
/// The fault is injected at the start of a launch sequence on the CPU accelerator (CudaException is built
/// from a message: its error-code constructor asks the CUDA driver for the text).
/// </summary>
public sealed class GpuFaultTests
{
    public static TheoryData<string> Faults => ["out-of-memory", "cuda-out-of-memory", "cuda-device-lost"];

    private static Exception Fault(string name) => name switch
    {
#pragma warning disable CA2201 // the runtime's own exception is the fault being simulated
        "out-of-memory" => new OutOfMemoryException("simulated host allocation failure"),
#pragma warning restore CA2201
        "cuda-out-of-memory" => new CudaException("CUDA_ERROR_OUT_OF_MEMORY: out of memory (simulated)"),
        _ => new CudaException("CUDA_ERROR_LAUNCH_FAILED: unspecified launch failure (simulated)"),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_device_fault_inside_run_is_a_gpu_backend_exception_and_the_backend_recovers(string fault)
    {
        var map = GpuEquivalenceTests.BuildMap(levels: 1, h: 4, w: 4, anchors: 1, seed: 3, scoreMode: 0);
        var variant = VariantSpec.Parse("nms");
        var output = new DetectionList();
        GpuTestBackend.Use(gpu =>
        {
            gpu.BeforeChunk = () => throw Fault(fault);
            try
            {
                var error = Assert.Throws<GpuBackendException>(() => gpu.Run(map, variant, output));
                Assert.IsAssignableFrom<EvalHarnessException>(error);
                Assert.StartsWith($"gpu backend failed on {gpu.Device} running nms(", error.Message);
                Assert.Equal(Fault(fault).GetType(), error.InnerException!.GetType());

                var batchError = Assert.Throws<GpuBackendException>(() => gpu.RunBatch([map, map], variant, [new DetectionList(), new DetectionList()]));
                Assert.NotNull(batchError.InnerException);
            }
            finally
            {
                gpu.BeforeChunk = null;
            }
            gpu.Run(map, variant, output);
        });
        Assert.NotEqual(0, output.Count);
    }
}
