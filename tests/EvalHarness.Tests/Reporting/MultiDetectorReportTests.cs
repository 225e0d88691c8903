using EvalHarness.IO;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Reporting;

public class MultiDetectorReportTests
{
    private static IReadOnlyList<DetectorRun> Runs() =>
    [
        new(new DetectorSpec { Model = "blazeface-back", Mode = "tiles" }, new RunSessionResult("a", FakeRuns.Create(seed: 1), 10, 0, [])),
        new(new DetectorSpec { Model = "faceapi-ssd", Mode = "letterbox" }, new RunSessionResult("b", FakeRuns.Create(seed: 2, apShift: new Dictionary<string, double> { ["gc+nms"] = 0.05 }), 10, 0, [])),
    ];

    [Fact]
    public void Report_opens_with_a_verdict_matrix_of_variant_by_detector()
    {
        var suite = SuiteLoader.Load("widerface-val");
        var md = MultiDetectorReport.Markdown(suite, Runs());
        var matrix = md.IndexOf("## Verdict matrix", StringComparison.Ordinal);
        Assert.True(matrix > 0 && matrix < md.IndexOf("## blazeface-back-tiles", StringComparison.Ordinal));
        Assert.Contains("| variant | blazeface-back-tiles | faceapi-ssd-letterbox |", md);
        var matrixSection = md[matrix..md.IndexOf("## blazeface-back-tiles", StringComparison.Ordinal)];
        var gcRow = matrixSection.Split('\n').Single(l => l.StartsWith("| gc+nms |", StringComparison.Ordinal));
        Assert.Equal(3, gcRow.Split(" | ").Length); // variant, then one cell per detector
        Assert.Contains("accuracy **", gcRow);
        Assert.Contains("[blazeface-back-tiles/report.md](blazeface-back-tiles/report.md)", md);
    }

    [Fact]
    public void Top_level_csvs_carry_the_detector_on_every_row_in_the_per_detector_schema()
    {
        var runs = Runs();
        var folder = FakeRuns.TempFolder();
        MultiDetectorReport.Write(folder, SuiteLoader.Load("widerface-val"), runs);
        var summary = File.ReadAllText(Path.Combine(folder, ResultFiles.Summary)).Trim().Split('\n');
        var perDetectorFolder = FakeRuns.TempFolder();
        RunExporters.WriteAll(FakeRuns.Create(seed: 1), perDetectorFolder, [new SummaryCsvExporter(), new VerdictsCsvExporter()]);
        Assert.Equal(File.ReadLines(Path.Combine(perDetectorFolder, ResultFiles.Summary)).First(), summary[0]);
        Assert.StartsWith("detector,", summary[0]);
        Assert.Equal(1 + runs.Sum(r => r.Result.Results!.Rows.Count), summary.Length);
        Assert.All(summary.Skip(1), l => Assert.True(l.StartsWith("blazeface-back-tiles,", StringComparison.Ordinal) || l.StartsWith("faceapi-ssd-letterbox,", StringComparison.Ordinal)));
        var verdicts = File.ReadAllText(Path.Combine(folder, ResultFiles.Verdicts)).Trim().Split('\n');
        Assert.Equal(File.ReadLines(Path.Combine(perDetectorFolder, ResultFiles.Verdicts)).First(), verdicts[0]);
        Assert.Equal(1 + runs.Sum(r => r.Result.Results!.Verdicts.Count), verdicts.Length);
        Assert.Contains(verdicts, l => l.StartsWith("faceapi-ssd-letterbox,gc+nms,improves accuracy,", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_refuses_the_top_level_summary_and_names_a_detector_folder()
    {
        var folder = FakeRuns.TempFolder();
        MultiDetectorReport.Write(folder, SuiteLoader.Load("widerface-val"), Runs());
        var ex = Assert.Throws<UsageException>(() => RunResultsReader.Read(folder));
        Assert.Contains("several detectors", ex.Message);
        Assert.Contains(Path.Combine(folder, "blazeface-back-tiles"), ex.Message);
    }

    [Fact]
    public void The_top_report_links_the_cross_detector_charts_which_are_written()
    {
        var folder = FakeRuns.TempFolder();
        MultiDetectorReport.Write(folder, SuiteLoader.Load("widerface-val"), Runs());
        var md = File.ReadAllText(Path.Combine(folder, ResultFiles.Report));
        var deltaChart = Path.Combine(folder, "charts", "delta_ap_by_detector.png");
        Assert.True(File.Exists(deltaChart));
        Assert.True(new FileInfo(deltaChart).Length > 10_000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(deltaChart)[..4]);
        Assert.True(File.Exists(Path.Combine(folder, "charts", "speed_ratio_by_detector_scalar.png")));
        Assert.Contains("](charts/delta_ap_by_detector.png)", md);
        Assert.Contains("whiskers = 95% paired-bootstrap interval", md);
        Assert.True(md.IndexOf("## Verdict matrix", StringComparison.Ordinal) < md.IndexOf("charts/delta_ap_by_detector.png", StringComparison.Ordinal));
    }
}
