using System.Diagnostics;
using System.Text.Json;
using EvalHarness.Reporting;

namespace EvalHarness.Tests.Reporting;

public class EnvironmentInfoTests
{
    [Fact]
    public void Env_json_always_names_the_gpu_or_says_why_there_is_none()
    {
        var clock = Stopwatch.StartNew();
        var env = EnvironmentInfo.Capture();
        // a probe of CUDA/OpenCL only: no CPU simulator started (that takes far longer)
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"probe took {clock.Elapsed}");
        using var json = JsonDocument.Parse(EnvironmentJson.Serialize(env));
        var gpu = json.RootElement.GetProperty("gpu_name"); // present even when null
        if (gpu.ValueKind == JsonValueKind.Null)
        {
            Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("gpu_unavailable").GetString()));
        }
        else
        {
            Assert.DoesNotContain("simulator", gpu.GetString()!, StringComparison.OrdinalIgnoreCase);
            Assert.False(json.RootElement.TryGetProperty("gpu_unavailable", out _));
        }

        // a run whose gpu backend ran names its device without probing
        var known = EnvironmentInfo.Capture(gpuName: "CUDA: Test GPU");
        Assert.Equal("CUDA: Test GPU", known.GpuName);
        Assert.Null(known.GpuUnavailable);
        Assert.Equal(known.GpuName, EnvironmentJson.Deserialize(EnvironmentJson.Serialize(known))!.GpuName);
    }
}
