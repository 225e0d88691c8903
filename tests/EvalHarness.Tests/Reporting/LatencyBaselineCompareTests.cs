using EvalHarness.IO;
using System.Text.Json;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Tests.Reporting;

/// <summary>
/// <c>compare --latency-baseline</c>: latency against a run of the baseline's code on the current
/// machine, everything else against the committed baseline (what the CI gate does).
/// </summary>
public class LatencyBaselineCompareTests
{
    private static readonly EnvironmentInfo OtherRunner = new()
    {
        CpuModel = "Test CPU", CpuSignature = "AuthenticAMD family 25 model 17 stepping 1", LogicalCores = 2, SimdWidthBits = 256,
        DotNetVersion = ".NET 10", OnnxRuntimeVersion = "1.31.1", GitCommit = new string('0', 40),
    };

    /// <summary>The same runs on a machine whose vector unit is relatively slower for one kernel: <paramref name="variant"/> on <paramref name="backend"/> takes <paramref name="factor"/> times as long.</summary>
    internal static RunResults OnOtherRunner(RunResults run, string variant, string backend, double factor, string? commit = null)
    {
        var samples = run.LatencySamples
            .Select(s => s.Variant == variant && s.Backend == backend ? s with { Milliseconds = s.Milliseconds.Select(ms => ms * factor).ToArray() } : s)
            .ToList();
        var rows = run.Rows
            .Select(r => r.Variant == variant && r.Backend == backend && r.Latency is not null
                ? r with { Latency = LatencyStats.From(samples.Single(s => s.Variant == variant && s.Backend == backend).Milliseconds) }
                : r)
            .ToList();
        return run with { Rows = rows, LatencySamples = samples, Environment = OtherRunner with { GitCommit = commit ?? OtherRunner.GitCommit } };
    }

    [Fact]
    public void The_ci_failure_case_a_kernel_balance_of_another_machine_is_not_a_regression_against_a_same_machine_reference()
    {
        var recordedOn = FakeRuns.Create(seed: 1);
        var committed = recordedOn with { Environment = recordedOn.Environment! with { CpuSignature = "AuthenticAMD family 26 model 2 stepping 1" } };
        // The runner: the same code (seed 2, 3: fresh noise) times soft-NMS on simd 1.7x slower relative to the rest (seen: 1.67x).
        var current = OnOtherRunner(FakeRuns.Create(seed: 2), "soft-nms-linear", "simd", 1.7);
        var reference = OnOtherRunner(FakeRuns.Create(seed: 3), "soft-nms-linear", "simd", 1.7);

        var againstCommitted = RunComparer.Compare(committed, current);
        var regression = Assert.Single(againstCommitted.Regressions);
        Assert.Equal(("soft-nms-linear", "simd", "latency_norm"), (regression.Variant, regression.Backend, regression.Metric));

        var againstSameMachine = RunComparer.Compare(committed, current, latencyBaseline: reference);
        Assert.False(againstSameMachine.HasRegression, againstSameMachine.ToMarkdown());
        Assert.Contains(againstSameMachine.Notes, n => n.Contains("compared with the latency baseline", StringComparison.Ordinal));
        Assert.DoesNotContain(againstSameMachine.Notes, n => n.Contains("Different machines", StringComparison.Ordinal));
        Assert.Contains(againstCommitted.Notes, n => n.Contains("Different machines", StringComparison.Ordinal) && n.Contains("family 25", StringComparison.Ordinal));
    }

    [Fact]
    public void A_slowdown_of_the_code_is_still_caught_against_the_same_machine_reference()
    {
        var committed = FakeRuns.Create(seed: 1);
        var reference = OnOtherRunner(FakeRuns.Create(seed: 3), "soft-nms-linear", "simd", 1.7);
        var slower = OnOtherRunner(FakeRuns.Create(seed: 2, slowdown: new Dictionary<string, double> { ["gc"] = 1.8 }), "soft-nms-linear", "simd", 1.7);

        var report = RunComparer.Compare(committed, slower, new CompareOptions { LatencyThreshold = 0.5 }, reference);
        Assert.Equal(2, report.Regressions.Count()); // gc on scalar and on simd
        Assert.All(report.Regressions, m => Assert.Equal(("gc", "latency_norm"), (m.Variant, m.Metric)));
    }

    [Fact]
    public void Ap_and_detections_are_compared_with_the_committed_baseline_not_the_latency_baseline()
    {
        var committed = FakeRuns.Create(seed: 1);
        var dropped = FakeRuns.Create(seed: 2, apShift: new Dictionary<string, double> { ["gc"] = -0.001 });
        // a reference with the same drop must not hide it: AP is deterministic and the committed numbers rule
        var referenceWithTheDrop = FakeRuns.Create(seed: 3, apShift: new Dictionary<string, double> { ["gc"] = -0.001 });

        var report = RunComparer.Compare(committed, dropped, latencyBaseline: referenceWithTheDrop);
        Assert.True(report.HasRegression);
        Assert.All(report.Regressions, m => Assert.StartsWith("ap_", m.Metric, StringComparison.Ordinal));
        Assert.Equal(6, report.Regressions.Count()); // three settings on scalar and on simd
    }

    [Fact]
    public void A_row_the_latency_baseline_did_not_time_is_noted_not_compared()
    {
        var committed = FakeRuns.Create(seed: 1);
        var reference = FakeRuns.Create(seed: 3);
        reference = reference with { Rows = reference.Rows.Where(r => !(r.Variant == "gc" && r.Backend == "simd")).ToList() };
        var current = FakeRuns.Create(seed: 2, slowdown: new Dictionary<string, double> { ["gc"] = 1.8 });

        var report = RunComparer.Compare(committed, current, new CompareOptions { LatencyThreshold = 0.5 }, reference);
        var untimed = report.Metrics.Single(m => m.Variant == "gc" && m.Backend == "simd" && m.Metric == "latency_norm");
        Assert.Equal(ComparisonStatus.Info, untimed.Status);
        Assert.Contains("not timed in the latency baseline", untimed.Note, StringComparison.Ordinal);
        // gc on scalar is still compared, and regressed
        var regression = Assert.Single(report.Regressions);
        Assert.Equal(("gc", "scalar"), (regression.Variant, regression.Backend));
    }

    [Fact]
    public void A_latency_baseline_of_other_data_is_unusable_input_naming_it()
    {
        var committed = FakeRuns.Create(seed: 1);
        var other = FakeRuns.Create(seed: 3) with { Dataset = "synthetic (seed 2, 40 images)" };
        var ex = Assert.Throws<UsageException>(() => RunComparer.Compare(committed, FakeRuns.Create(seed: 2), latencyBaseline: other));
        Assert.Contains("latency baseline", ex.Message, StringComparison.Ordinal);
        Assert.Contains("different data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_latency_baseline_of_another_commit_is_said_to_be_so()
    {
        var committed = FakeRuns.Create(seed: 1);
        var sameCommit = FakeRuns.Create(seed: 3);
        var otherCommit = OnOtherRunner(FakeRuns.Create(seed: 3), "gc", "simd", 1.0, commit: "abcdef0" + new string('1', 33));

        Assert.DoesNotContain(RunComparer.Compare(committed, FakeRuns.Create(seed: 2), latencyBaseline: sameCommit).Notes,
            n => n.Contains("not the baseline's code", StringComparison.Ordinal));
        var note = Assert.Single(RunComparer.Compare(committed, OnOtherRunner(FakeRuns.Create(seed: 2), "gc", "simd", 1.0), latencyBaseline: otherCommit).Notes,
            n => n.Contains("latency baseline", StringComparison.Ordinal));
        Assert.Contains("commit abcdef0", note, StringComparison.Ordinal);
        Assert.Contains("not the baseline's code", note, StringComparison.Ordinal);
    }
}

public class CpuSignatureTests
{
    [Fact]
    public void Env_json_carries_the_cpu_signature_where_proc_cpuinfo_has_one_and_reads_old_files_without_it()
    {
        var env = EnvironmentInfo.Capture(gpuName: "CUDA: Test GPU");
        var hasVendor = File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("vendor_id", StringComparison.Ordinal));
        if (hasVendor)
        {
            Assert.Matches(@"^\S+ family \d+ model \d+ stepping \S+$", env.CpuSignature);
            Assert.Equal(env.CpuSignature, JsonDocument.Parse(EnvironmentJson.Serialize(env)).RootElement.GetProperty("cpu_signature").GetString());
            Assert.Contains(env.CpuSignature!, env.CpuDescription, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(env.CpuSignature);
            Assert.Equal(env.CpuModel, env.CpuDescription);
        }
        // a baseline written before the field
        var old = EnvironmentJson.Deserialize("""{ "cpu_model": "AMD EPYC", "logical_cores": 2, "simd_width_bits": 512 }""")!;
        Assert.Null(old.CpuSignature);
        Assert.False(RunComparer.DifferentMachines(old, old with { CpuSignature = "AuthenticAMD family 26 model 2 stepping 1" }));
        Assert.True(RunComparer.DifferentMachines(old with { CpuSignature = "AuthenticAMD family 25 model 17 stepping 1" }, old with { CpuSignature = "AuthenticAMD family 26 model 2 stepping 1" }));
        Assert.True(RunComparer.DifferentMachines(old, old with { SimdWidthBits = 256 }));
    }
}
