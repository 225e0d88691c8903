using EvalHarness.Reporting;
using EvalHarness.Tests.Reporting;

namespace EvalHarness.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public class CompareVerbTests
{
    private static Task<int> Run(params string[] args) => CliHarness.Invoke(args);

    private static string WriteRun(RunResults run)
    {
        var folder = FakeRuns.TempFolder();
        RunExporters.WriteAll(run, folder, [new SummaryCsvExporter(), new LatencySamplesCsvExporter()]);
        return folder;
    }

    [Fact]
    public async Task Exits_0_when_nothing_regressed_and_writes_compare_files_into_current()
    {
        var baseline = WriteRun(FakeRuns.Create(seed: 1));
        var current = WriteRun(FakeRuns.Create(seed: 2, machineFactor: 1.3));
        Assert.Equal(0, await Run("compare", baseline, current));
        Assert.True(File.Exists(Path.Combine(current, "compare.md")));
        Assert.True(File.Exists(Path.Combine(current, "compare.csv")));
    }

    [Fact]
    public async Task Exits_1_on_a_regression_and_honours_out()
    {
        var baseline = WriteRun(FakeRuns.Create(seed: 1));
        var current = WriteRun(FakeRuns.Create(seed: 2, slowdown: new Dictionary<string, double> { ["gc"] = 1.3 }));
        var outDir = FakeRuns.TempFolder();
        Assert.Equal(1, await Run("compare", baseline, current, "--out", outDir));
        Assert.True(File.Exists(Path.Combine(outDir, "compare.md")));
        // a looser threshold lets the same slowdown pass
        Assert.Equal(0, await Run("compare", baseline, current, "--latency-threshold", "0.5"));
    }

    [Fact]
    public async Task Exits_2_on_unusable_input()
    {
        var good = WriteRun(FakeRuns.Create());
        var otherSuite = WriteRun(FakeRuns.Create(suite: "widerface-val"));
        Assert.Equal(2, await Run("compare", good, otherSuite));

        var broken = FakeRuns.TempFolder();
        File.WriteAllText(Path.Combine(broken, "summary.csv"), "suite,variant,backend\nquick,nms,scalar\n");
        Assert.Equal(2, await Run("compare", good, broken));
        Assert.Equal(2, await Run("compare", good, Path.Combine(broken, "does-not-exist")));
        Assert.Equal(2, await Run("compare", good, good, "--alpha", "2"));
    }

    [Fact]
    public async Task Latency_baseline_replaces_the_baselines_timings_and_must_be_usable()
    {
        static string WriteWithEnv(RunResults run)
        {
            var folder = FakeRuns.TempFolder();
            RunExporters.WriteAll(run, folder, [new SummaryCsvExporter(), new LatencySamplesCsvExporter(), new EnvironmentJsonExporter()]);
            return folder;
        }
        var committed = WriteWithEnv(FakeRuns.Create(seed: 1));
        var current = WriteWithEnv(LatencyBaselineCompareTests.OnOtherRunner(FakeRuns.Create(seed: 2), "soft-nms-linear", "simd", 1.7));
        var sameMachine = WriteWithEnv(LatencyBaselineCompareTests.OnOtherRunner(FakeRuns.Create(seed: 3), "soft-nms-linear", "simd", 1.7));

        Assert.Equal(1, await Run("compare", committed, current, "--latency-threshold", "0.5"));
        Assert.Equal(0, await Run("compare", committed, current, "--latency-threshold", "0.5", "--latency-baseline", sameMachine));
        Assert.Contains("compared with the latency baseline", File.ReadAllText(Path.Combine(current, "compare.md")));
        Assert.Equal(2, await Run("compare", committed, current, "--latency-baseline", Path.Combine(sameMachine, "does-not-exist")));
        Assert.Equal(2, await Run("compare", committed, current, "--latency-baseline", WriteWithEnv(FakeRuns.Create(suite: "widerface-val"))));
    }

    [Fact]
    public async Task Baseline_update_requires_a_reason_and_logs_it()
    {
        var run = WriteRun(FakeRuns.Create());
        var root = FakeRuns.TempFolder();
        Assert.NotEqual(0, await Run("baseline", "update", run, "--baseline-dir", root));
        Assert.Equal(0, await Run("baseline", "update", run, "--baseline-dir", root, "--reason", "initial"));
        Assert.Contains("Reason: initial", File.ReadAllText(Path.Combine(root, "BASELINE.md")));
        Assert.Equal(0, await Run("compare", Path.Combine(root, "quick"), run));
    }
}
