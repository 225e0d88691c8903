using EvalHarness.Backends.Gpu;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends.Gpu;

public sealed class GpuCheckTests
{
    [Fact]
    public void Gpu_factory_reports_a_device_or_says_why_not()
    {
        using var backend = GpuBackend.TryCreate(out var reason);
        if (backend is null)
        {
            // The reason must still name what was looked for; the device half of the check did not run.
            Assert.Contains("CUDA/OpenCL", reason);
            Assert.Skip($"no GPU device on this machine: {reason}");
        }
        // On a GPU machine the benchmark backend must be a real device, never the simulator.
        Assert.False(backend.IsSimulator);
        Assert.True(backend.Device.StartsWith("CUDA: ", StringComparison.Ordinal) || backend.Device.StartsWith("OpenCL: ", StringComparison.Ordinal), backend.Device);
    }

    [Fact]
    public void Self_check_on_the_simulator_passes_and_writes_the_csv()
    {
        var dir = Path.Combine(Path.GetTempPath(), "evalharness-gpu-check-" + Guid.NewGuid().ToString("N"));
        try
        {
            var log = new StringWriter();
            IReadOnlyList<GpuCheckRow>? rows = null;
            GpuTestBackend.Use(_ =>
            {
                rows = GpuCheck.Run(new GpuCheckOptions
                {
                    Accelerator = GpuAcceleratorKind.CpuSimulator,
                    Sizes = [300],
                    Batches = [2],
                    Variants = [VariantSpec.Parse("nms"), VariantSpec.Parse("gc+nms"), VariantSpec.Parse("weighted-nms")],
                    OutputDirectory = dir,
                }, log);
            });
            Assert.NotNull(rows);
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal("pass", r.Check));
            var csv = File.ReadAllLines(Path.Combine(dir, "gpu-check.csv"));
            Assert.Equal(GpuCheck.Header, csv[0]);
            Assert.Equal(4, csv.Length);
            Assert.Contains("simulator", log.ToString());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Synthetic_maps_have_about_the_requested_size_and_pass_some_candidates()
    {
        var map = EvalHarness.Detectors.Synthetic.SyntheticCandidateSource.MapWithAbout(16_000, seed: 3);
        Assert.InRange(map.Count, 14_000, 18_000);
        var passing = 0;
        foreach (var s in map.ScoreSpan) if (s >= 0.02f) passing++;
        Assert.InRange(passing, 100, map.Count - 100);
    }
}
