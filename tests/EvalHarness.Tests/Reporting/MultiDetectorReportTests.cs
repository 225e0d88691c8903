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
    public void Csvs_carry_the_detector_on_every_row()
    {
        var runs = Runs();
        var summary = MultiDetectorReport.SummaryCsv(runs).Trim().Split('\n');
        Assert.StartsWith("detector,variant,backend,", summary[0]);
        Assert.Equal(1 + runs.Sum(r => r.Result.Results!.Rows.Count), summary.Length);
        Assert.All(summary.Skip(1), l => Assert.True(l.StartsWith("blazeface-back-tiles,", StringComparison.Ordinal) || l.StartsWith("faceapi-ssd-letterbox,", StringComparison.Ordinal)));
        var verdicts = MultiDetectorReport.VerdictsCsv(runs).Trim().Split('\n');
        Assert.Equal(1 + runs.Sum(r => r.Result.Results!.Verdicts.Count), verdicts.Length);
        Assert.Contains(verdicts, l => l.StartsWith("faceapi-ssd-letterbox,gc+nms,improves accuracy,", StringComparison.Ordinal));
    }
}
