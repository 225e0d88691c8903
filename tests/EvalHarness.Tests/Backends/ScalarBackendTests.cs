using EvalHarness.Backends;
using EvalHarness.Tests.PostProcessing;

namespace EvalHarness.Tests.Backends;

public sealed class ScalarBackendConformanceTests : VariantConformanceTests
{
    protected override IPostProcessingBackend CreateBackend() => new ScalarBackend();
}
