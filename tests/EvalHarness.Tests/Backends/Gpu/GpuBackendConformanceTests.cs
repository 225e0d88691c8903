using EvalHarness.Backends;
using EvalHarness.Tests.PostProcessing;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>The hand-worked conformance cases on the GPU kernels (ILGPU CPU simulator).</summary>
public sealed class GpuBackendConformanceTests : VariantConformanceTests
{
    protected override IPostProcessingBackend CreateBackend() => GpuTestBackend.Borrow();
}
