using EvalHarness.IO;
using EvalHarness.Metrics;
using EvalHarness.Reporting;
using EvalHarness.Reporting.Charts;

namespace EvalHarness.Tests.Reporting;

public class ExportersTests
{
    private static readonly int[] SimdWidthsBits = [0, 128, 256, 512];

    [Fact]
    public void Writes_every_artefact_and_reads_the_summary_back_exactly()
    {
        var run = FakeRuns.Create(withGpu: true, gpuNotApplicable: true);
        var folder = FakeRuns.TempFolder();
        RunExporters.WriteAll(run, folder);

        foreach (var file in new[] { "summary.csv", "ap.csv", "pr_curves.csv", "latency_samples.csv", "verdicts.csv", "scaling.csv", "env.json", "suite.json", "report.md" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));

        var back = RunResultsReader.Read(folder);
        Assert.Equal(run.Suite, back.Suite);
        Assert.Equal(run.Detector, back.Detector);
        Assert.Equal(run.Rows.Count, back.Rows.Count);
        foreach (var row in run.Rows)
        {
            var other = back.Find(row.Variant, row.Backend);
            Assert.NotNull(other);
            Assert.Equal(row.Status, other.Status);
            Assert.Equal(row.Reason, other.Reason);
            Assert.Equal(row.Ap, other.Ap); // bit-exact: doubles are written shortest-round-trip
            Assert.Equal(row.Faces, other.Faces);
            Assert.Equal(row.DeltaAp, other.DeltaAp);
            Assert.Equal(row.SpeedRatio, other.SpeedRatio);
            Assert.Equal(row.Latency?.Median, other.Latency?.Median);
            Assert.Equal(row.Latency?.P99, other.Latency?.P99);
            Assert.Equal(row.Stages, other.Stages);
            Assert.Equal(row.DetectionsSha256, other.DetectionsSha256);
            Assert.Equal(row.Detections, other.Detections);
        }
        Assert.Equal(run.LatencySamples.Count, back.LatencySamples.Count);
        for (var i = 0; i < run.LatencySamples.Count; i++)
        {
            Assert.Equal(run.LatencySamples[i].Milliseconds, back.LatencySamples[i].Milliseconds);
            Assert.Equal(run.LatencySamples[i].Images, back.LatencySamples[i].Images);
        }
        Assert.Equal(run.Environment!.CpuModel, back.Environment!.CpuModel);
    }

    [Fact]
    public void Summary_has_the_documented_header()
    {
        var folder = FakeRuns.TempFolder();
        RunExporters.WriteAll(FakeRuns.Create(), folder, [new SummaryCsvExporter()]);
        var header = File.ReadLines(Path.Combine(folder, "summary.csv")).First();
        Assert.StartsWith("detector,suite,dataset,subset,variant,variant_spec,backend,device,status,reason,ap_easy,ap_medium,ap_hard,", header);
        Assert.EndsWith(",detections,detections_sha256", header);
    }

    [Fact]
    public void Ap_and_pr_files_are_long_format_per_setting()
    {
        var run = FakeRuns.Create();
        var folder = FakeRuns.TempFolder();
        RunExporters.WriteAll(run, folder, [new ApCsvExporter(), new PrCurvesCsvExporter()]);
        var ap = File.ReadAllLines(Path.Combine(folder, "ap.csv"));
        Assert.Equal("detector,method,variant,backend,setting,ap,ap_lo,ap_hi,faces,delta_ap,delta_lo,delta_hi", ap[0]);
        Assert.Equal(1 + run.Rows.Count * 3, ap.Length);
        Assert.Contains(ap, l => l.StartsWith("synthetic,gc/scalar,gc,scalar,hard,0.64,", StringComparison.Ordinal));
        var pr = File.ReadAllLines(Path.Combine(folder, "pr_curves.csv"));
        Assert.Equal("detector,method,variant,backend,setting,threshold,recall,precision", pr[0]);
        Assert.Equal(1 + run.PrCurves.Sum(c => c.Recall.Length), pr.Length);
    }

    [Fact]
    public void A_run_with_a_breakdown_writes_breakdown_csv_its_chart_and_a_report_table_per_variant()
    {
        var fake = FakeRuns.Create();
        BreakdownBucket[] buckets = [new("height", "[0,16)", 0, null), new("height", "[16,32)", 4, 0.25)];
        var run = fake with { Rows = [.. fake.Rows.Select(r => r with { Breakdown = buckets })] };
        var folder = FakeRuns.TempFolder();

        RunExporters.WriteAll(run, folder, [new BreakdownCsvExporter()]);

        var lines = File.ReadAllLines(Path.Combine(folder, "breakdown.csv"));
        Assert.Equal("detector,method,kind,bucket,faces,ap", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("synthetic,", l));
        var variants = run.Rows.Where(r => r.IsOk && r.Ap is not null).Select(r => r.Variant).Distinct().Count();
        Assert.Equal(1 + variants * buckets.Length, lines.Length);
        var md = MarkdownReportExporter.Render(run);
        Assert.Contains("## AP by face height and attribute", md);
        Assert.Contains("| height | [16,32) | 4 |", md);
        Assert.Contains(ChartExporter.Plan(run), c => c.RelativePath == "charts/breakdown.png");
    }

    [Fact]
    public void Report_has_verdicts_summary_charts_and_reproduction()
    {
        var run = FakeRuns.Create(withGpu: true, gpuNotApplicable: true);
        var md = MarkdownReportExporter.Render(run);
        Assert.Contains("## Verdicts", md);
        Assert.Contains("| gc+nms | improves accuracy | all | **inconclusive** |", md);
        Assert.Contains($"| soft-nms-linear | gpu | n/a: {FakeRuns.NoGpuDevice} |", md);
        Assert.Contains("![Precision-recall, hard, scalar backend](charts/pr_hard.png)", md);
        Assert.Contains("![Post-processing time vs candidates (median per image, log-log)](charts/scaling.png)", md);
        Assert.Contains("git checkout " + new string('0', 40), md);
    }

    [Fact]
    public void Charts_are_png_files_of_the_planned_size()
    {
        var run = FakeRuns.Create(withGpu: true);
        var folder = Environment.GetEnvironmentVariable("EVALHARNESS_CHART_OUT") ?? FakeRuns.TempFolder();
        new ChartExporter().Export(run, folder);
        var plan = ChartExporter.Plan(run);
        Assert.Equal(6, plan.Count); // 3 PR, AP, latency, scaling
        foreach (var chart in plan)
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, chart.RelativePath));
            Assert.True(bytes.Length > 10_000, $"{chart.RelativePath} is suspiciously small ({bytes.Length} bytes)");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            // IHDR width and height, big-endian at offsets 16 and 20
            Assert.Equal(ChartExporter.Width, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
            Assert.Equal(ChartExporter.Height, (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23]);
        }
    }

    [Fact]
    public void Scaling_crossover_is_interpolated_in_log_space()
    {
        // cpu: t = n/1000 ms; gpu: 1 ms flat. They cross at n = 1000 exactly; sampled at 100 and 10000.
        ScalingPoint[] cpu = [new("nms", "simd", 100, 0.1), new("nms", "simd", 10_000, 10)];
        ScalingPoint[] gpu = [new("nms", "gpu", 100, 1), new("nms", "gpu", 10_000, 1)];
        Assert.Equal(1000, ScalingAnalysis.FindCrossover(cpu, gpu)!.Value, 6);
        Assert.Null(ScalingAnalysis.FindCrossover(gpu, cpu)); // the other way round the "gpu" never becomes faster
    }

    [Fact]
    public void Reader_names_the_file_and_the_missing_column()
    {
        var folder = FakeRuns.TempFolder();
        File.WriteAllText(Path.Combine(folder, "summary.csv"), "suite,variant,backend,status,ap_easy,ap_medium\nquick,nms,scalar,ok,0.9,0.8\n");
        var ex = Assert.Throws<DataFormatException>(() => RunResultsReader.Read(folder));
        Assert.Contains("summary.csv", ex.Message);
        Assert.Contains("ap_hard", ex.Message);
        Assert.Contains("median_ms", ex.Message);
    }

    [Fact]
    public void Reader_rejects_a_bad_status_and_a_missing_folder()
    {
        var folder = FakeRuns.TempFolder();
        File.WriteAllText(Path.Combine(folder, "summary.csv"), "suite,variant,backend,status,ap_easy,ap_medium,ap_hard,median_ms\nquick,nms,scalar,maybe,0.9,0.8,0.5,1\n");
        var ex = Assert.Throws<DataFormatException>(() => RunResultsReader.Read(folder));
        Assert.Contains(":2:", ex.Message);
        Assert.Throws<UsageException>(() => RunResultsReader.Read(Path.Combine(folder, "nope")));
    }

    [Fact]
    public void Environment_capture_reads_this_machine_and_the_git_commit()
    {
        var env = EnvironmentInfo.Capture(gpuName: "Fake GPU");
        Assert.True(env.LogicalCores >= 1);
        Assert.NotEqual("", env.DotNetVersion);
        Assert.Matches(@"^\d+\.\d+", env.OnnxRuntimeVersion);
        Assert.Contains(env.SimdWidthBits, SimdWidthsBits);
        Assert.Equal("Fake GPU", env.GpuName);
        var repo = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory);
        if (repo is not null && (Directory.Exists(Path.Combine(repo, ".git")) || File.Exists(Path.Combine(repo, ".git"))))
        {
            Assert.Matches("^[0-9a-f]{40}$", env.GitCommit ?? "");
        }
        var json = EnvironmentJson.Serialize(env);
        Assert.Contains("\"cpu_model\"", json);
        Assert.Equal(env, EnvironmentJson.Deserialize(json));
    }
}

public class CsvRoundTripTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("comma, \"quotes\" and\nnew line")]
    [InlineData("  leading and trailing spaces  ")]
    [InlineData("-starts like a formula")]
    [InlineData("ünïcödé ≤ ≥")]
    public void Awkward_text_fields_survive_the_round_trip(string reason)
    {
        var rows = new List<ResultRow>
        {
            new() { Variant = "nms", Backend = "scalar", Ap = new(0.1, 0.2, 0.3), Latency = EvalHarness.Metrics.Statistics.LatencyStats.From([1.0]) },
            new() { Variant = "gc+nms(score=0.02,iou=0.4,r=1,k=2)", Backend = "gpu", Status = RowStatus.NotApplicable, Reason = reason },
        };
        var folder = FakeRuns.TempFolder();
        RunExporters.WriteAll(new RunResults { Suite = "s", Rows = rows }, folder, [new SummaryCsvExporter()]);
        var back = RunResultsReader.Read(folder);
        var row = back.Find("gc+nms(score=0.02,iou=0.4,r=1,k=2)", "gpu");
        Assert.NotNull(row);
        Assert.Equal(reason, row.Reason);
        Assert.Equal(RowStatus.NotApplicable, row.Status);
        Assert.Null(row.Ap);
        Assert.Null(row.Latency);
    }
}
