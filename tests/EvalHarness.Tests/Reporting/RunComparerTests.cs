using EvalHarness.IO;
using EvalHarness.Reporting;

namespace EvalHarness.Tests.Reporting;

public class RunComparerTests
{
    [Fact]
    public void Identical_runs_pass()
    {
        var report = RunComparer.Compare(FakeRuns.Create(), FakeRuns.Create());
        Assert.False(report.HasRegression);
        Assert.Contains(report.Metrics, m => m.Metric == "ap_hard");
        Assert.Contains(report.Metrics, m => m.Metric == "detections_sha256");
        Assert.Contains(report.Metrics, m => m.Metric == "latency_norm" && m.PValue is not null);
    }

    [Fact]
    public void Rerun_with_fresh_timing_noise_passes()
    {
        var report = RunComparer.Compare(FakeRuns.Create(seed: 1), FakeRuns.Create(seed: 2));
        Assert.False(report.HasRegression, report.ToMarkdown());
    }

    [Fact]
    public void An_injected_ap_drop_fails()
    {
        var current = FakeRuns.Create(apShift: new Dictionary<string, double> { ["gc"] = -0.001 });
        var report = RunComparer.Compare(FakeRuns.Create(), current);
        Assert.True(report.HasRegression);
        Assert.All(report.Regressions, m => Assert.Equal("gc", m.Variant));
        Assert.Contains(report.Regressions, m => m.Metric == "ap_hard" && m.Note.Contains("dropped"));
    }

    [Fact]
    public void Ap_tolerance_absorbs_tiny_differences()
    {
        var current = FakeRuns.Create(apShift: new Dictionary<string, double> { ["gc"] = -1e-9 });
        Assert.True(RunComparer.Compare(FakeRuns.Create(), current).HasRegression);
        Assert.False(RunComparer.Compare(FakeRuns.Create(), current, new CompareOptions { ApTolerance = 1e-6 }).HasRegression);
    }

    [Fact]
    public void Different_detection_hashes_fail()
    {
        var baseline = FakeRuns.Create();
        var rows = baseline.Rows.Select(r => r.Variant == "gc+nms" && r.Backend == "simd" ? r with { DetectionsSha256 = new string('f', 64) } : r).ToList();
        var report = RunComparer.Compare(baseline, baseline with { Rows = rows });
        var regression = Assert.Single(report.Regressions);
        Assert.Equal(("gc+nms", "simd", "detections_sha256"), (regression.Variant, regression.Backend, regression.Metric));
    }

    [Fact]
    public void A_30_percent_slowdown_of_one_variant_fails()
    {
        var current = FakeRuns.Create(seed: 2, slowdown: new Dictionary<string, double> { ["gc"] = 1.3 });
        var report = RunComparer.Compare(FakeRuns.Create(seed: 1), current);
        Assert.True(report.HasRegression);
        Assert.All(report.Regressions, m => Assert.Equal(("gc", "latency_norm"), (m.Variant, m.Metric)));
        Assert.Equal(2, report.Regressions.Count()); // scalar and simd
        Assert.All(report.Regressions, m => Assert.True(m.PValue < 0.01));
    }

    [Fact]
    public void A_machine_wide_30_percent_slowdown_passes()
    {
        var current = FakeRuns.Create(seed: 2, machineFactor: 1.3);
        var report = RunComparer.Compare(FakeRuns.Create(seed: 1), current);
        Assert.False(report.HasRegression, report.ToMarkdown());
        Assert.Contains("machine factor 1.3", report.Notes[0]);
    }

    [Fact]
    public void A_slowdown_below_the_threshold_passes_even_if_significant()
    {
        var current = FakeRuns.Create(seed: 1, slowdown: new Dictionary<string, double> { ["gc"] = 1.10 });
        var report = RunComparer.Compare(FakeRuns.Create(seed: 1), current);
        Assert.False(report.HasRegression);
        var gc = report.Metrics.Single(m => m.Variant == "gc" && m.Backend == "scalar" && m.Metric == "latency_norm");
        Assert.True(gc.PValue < 0.01); // significant, but only 10%
    }

    [Fact]
    public void A_big_slowdown_without_samples_is_reported_but_cannot_fail()
    {
        var current = FakeRuns.Create(seed: 2, slowdown: new Dictionary<string, double> { ["gc"] = 1.5 }) with { LatencySamples = [] };
        var report = RunComparer.Compare(FakeRuns.Create(seed: 1), current);
        Assert.False(report.HasRegression);
        Assert.Contains(report.Metrics, m => m.Variant == "gc" && m.Note.Contains("no per-image samples to test significance"));
    }

    [Fact]
    public void A_variant_missing_in_current_fails()
    {
        var baseline = FakeRuns.Create();
        var current = baseline with { Rows = baseline.Rows.Where(r => !(r.Variant == "gc" && r.Backend == "simd")).ToList() };
        var regression = Assert.Single(RunComparer.Compare(baseline, current).Regressions);
        Assert.Equal(("gc", "simd", "status"), (regression.Variant, regression.Backend, regression.Metric));
    }

    [Fact]
    public void A_variant_that_became_not_applicable_fails()
    {
        var baseline = FakeRuns.Create();
        var rows = baseline.Rows.Select(r => r.Variant == "gc" && r.Backend == "simd" ? r with { Status = RowStatus.NotApplicable, Reason = "no kernel" } : r).ToList();
        var report = RunComparer.Compare(baseline, baseline with { Rows = rows });
        Assert.Contains("n/a now: no kernel", Assert.Single(report.Regressions).Note);
    }

    [Fact]
    public void Not_applicable_in_the_baseline_passes_whatever_current_says()
    {
        var baseline = FakeRuns.Create(withGpu: true, gpuNotApplicable: true);
        var current = baseline with { Rows = baseline.Rows.Where(r => r.Backend != "gpu").ToList() };
        var report = RunComparer.Compare(baseline, current);
        Assert.False(report.HasRegression);
        Assert.Contains(report.Metrics, m => m.Backend == "gpu" && m.Status == ComparisonStatus.Info && m.Note.Contains("n/a in the baseline"));
    }

    [Fact]
    public void Different_suites_are_unusable_input()
    {
        var ex = Assert.Throws<UsageException>(() => RunComparer.Compare(FakeRuns.Create("quick"), FakeRuns.Create("widerface-val")));
        Assert.Contains("different suites", ex.Message);
    }

    [Fact]
    public void One_suite_on_different_data_is_unusable_input_not_regressions()
    {
        var baseline = FakeRuns.Create("quick");
        var ex = Assert.Throws<UsageException>(() => RunComparer.Compare(baseline, baseline with { Dataset = "synthetic (seed 2, 40 images)" }));
        Assert.Contains("different data", ex.Message);
    }

    [Fact]
    public void A_run_without_the_reference_row_is_unusable_input()
    {
        var baseline = FakeRuns.Create();
        var current = baseline with { Rows = baseline.Rows.Where(r => !(r.Variant == "nms" && r.Backend == "scalar")).ToList() };
        Assert.Throws<EvalHarnessException>(() => RunComparer.Compare(baseline, current));
    }

    [Fact]
    public void Compares_folders_written_by_the_exporters_and_writes_its_files()
    {
        var baseFolder = FakeRuns.TempFolder();
        var curFolder = FakeRuns.TempFolder();
        RunExporters.WriteAll(FakeRuns.Create(seed: 1), baseFolder, [new SummaryCsvExporter(), new LatencySamplesCsvExporter(), new EnvironmentJsonExporter()]);
        RunExporters.WriteAll(FakeRuns.Create(seed: 2, slowdown: new Dictionary<string, double> { ["gc+nms"] = 1.3 }), curFolder, [new SummaryCsvExporter(), new LatencySamplesCsvExporter()]);
        var report = RunComparer.Compare(baseFolder, Path.Combine(curFolder, "summary.csv"));
        Assert.True(report.HasRegression);
        Assert.All(report.Regressions, m => Assert.Equal("gc+nms", m.Variant));
        report.Write(curFolder);
        Assert.Contains("**REGRESSION**", File.ReadAllText(Path.Combine(curFolder, "compare.md")));
        Assert.StartsWith("variant,backend,metric,baseline,current,change,p_value,status,note", File.ReadLines(Path.Combine(curFolder, "compare.csv")).First());
    }

    [Fact]
    public void Bad_options_are_usage_errors()
    {
        Assert.Throws<UsageException>(() => RunComparer.Compare(FakeRuns.Create(), FakeRuns.Create(), new CompareOptions { Alpha = 0 }));
        Assert.Throws<UsageException>(() => RunComparer.Compare(FakeRuns.Create(), FakeRuns.Create(), new CompareOptions { LatencyThreshold = -1 }));
    }
}

public class BaselineStoreTests
{
    [Fact]
    public void Update_copies_the_small_files_and_appends_the_reason()
    {
        var run = FakeRuns.TempFolder();
        RunExporters.WriteAll(FakeRuns.Create(), run);
        var root = FakeRuns.TempFolder();
        var now = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var target = BaselineStore.Update(run, root, "first baseline", now);
        BaselineStore.Update(run, root, "rerun after the SIMD fix", now.AddHours(1));

        Assert.Equal(Path.Combine(root, "quick"), target);
        Assert.True(File.Exists(Path.Combine(target, "summary.csv")));
        Assert.True(File.Exists(Path.Combine(target, "latency_samples.csv")));
        Assert.False(File.Exists(Path.Combine(target, "pr_curves.csv")));
        var log = File.ReadAllText(Path.Combine(root, "BASELINE.md"));
        Assert.Contains("Reason: first baseline", log);
        Assert.Contains("## 2026-11-28 11:00 UTC — quick", log);
        Assert.True(log.IndexOf("first baseline", StringComparison.Ordinal) < log.IndexOf("SIMD fix", StringComparison.Ordinal));
        Assert.False(RunComparer.Compare(target, run).HasRegression);
    }

    [Fact]
    public void Update_needs_a_reason()
    {
        var run = FakeRuns.TempFolder();
        RunExporters.WriteAll(FakeRuns.Create(), run, [new SummaryCsvExporter()]);
        Assert.Throws<UsageException>(() => BaselineStore.Update(run, FakeRuns.TempFolder(), "  ", DateTimeOffset.UtcNow));
    }
}

public class RunComparerNotesTests
{
    [Fact]
    public void Different_machines_are_noted()
    {
        var baseline = FakeRuns.Create();
        var current = baseline with { Environment = baseline.Environment! with { CpuModel = "Other CPU" } };
        var report = RunComparer.Compare(baseline, current);
        Assert.Contains(report.Notes, n => n.Contains("Different machines (Test CPU, 2 cores, 256-bit SIMD → Other CPU, 2 cores, 256-bit SIMD)"));
    }

    [Fact]
    public void A_synthetic_dataset_states_its_image_count_once_and_old_baselines_still_match()
    {
        var spec = new EvalHarness.Suites.DatasetSpec { Kind = EvalHarness.Suites.DatasetKind.Synthetic, Seed = 1, Images = 24 };
        Assert.Equal("synthetic (seed 1, 24 images)", spec.ToString()); // the suite line before the run
        Assert.Equal("synthetic (seed 1)", spec.DescribeWithoutCount()); // the results add ", 24 images"
        Assert.Equal("synthetic (seed 1), 24 images", RunComparer.SameDataKey("synthetic (seed 1, 24 images), 24 images"));
        Assert.Equal("synthetic (seed 1), 24 images", RunComparer.SameDataKey("synthetic (seed 1), 24 images"));
        Assert.NotEqual(RunComparer.SameDataKey("synthetic (seed 2), 24 images"), RunComparer.SameDataKey("synthetic (seed 1, 24 images), 24 images"));
        // one event is named, not counted as "(1 events)"
        var oneEvent = new EvalHarness.Suites.DatasetSpec { Kind = EvalHarness.Suites.DatasetKind.WiderFace, Events = ["0--Parade"] };
        Assert.Equal("WIDER FACE val (event 0--Parade)", oneEvent.ToString());
        Assert.Equal("WIDER FACE val (2 events)", (oneEvent with { Events = ["0--Parade", "4--Dancing"] }).ToString());
    }
}
