using EvalHarness.Reporting;
using EvalHarness.Reporting.Csv;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Runs;

/// <summary>
/// A several-detector run end to end on synthetic maps (they need no model, so the two
/// "detectors" replay the same candidates: what is tested is the labelling of every file).
/// </summary>
public sealed class MultiDetectorRunTests : IDisposable
{
    private static readonly DetectorSpec Ssd = new() { Model = "faceapi-ssd", Mode = "letterbox" };
    private static readonly DetectorSpec BlazeFace = new() { Model = "blazeface-back", Mode = "tiles", TileSize = 256, TileOverlap = 64 };

    private readonly string _dir = Directory.CreateTempSubdirectory("eh-multi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string RunTwoDetectors()
    {
        var suite = RunSessionTests.SmallSuite(images: 5) with { Detectors = [BlazeFace, Ssd], Detector = BlazeFace };
        var request = new RunRequest { Suite = suite, OutputDir = Path.Combine(_dir, "out"), CacheRoot = Path.Combine(_dir, "cache") };
        return MultiDetectorRun.Run(request, one => RunSession.Run(one, observer: null, TestContext.Current.CancellationToken), DateTime.UtcNow);
    }

    [Fact]
    public void Every_csv_of_every_detector_folder_names_its_detector_on_every_row()
    {
        var top = RunTwoDetectors();
        foreach (var detector in new[] { BlazeFace, Ssd })
        {
            var folder = Path.Combine(top, detector.Label);
            var csvs = Directory.GetFiles(folder, "*.csv");
            // every file kind a plain run writes (breakdown.csv needs WIDER attributes, scaling.csv a scaling sweep)
            foreach (var expected in new[] { ResultFiles.Summary, ResultFiles.Ap, ResultFiles.PrCurves, ResultFiles.LatencySamples, ResultFiles.Verdicts })
            {
                Assert.Contains(Path.Combine(folder, expected), csvs);
            }
            foreach (var csv in csvs)
            {
                var lines = File.ReadAllLines(csv);
                Assert.True(lines.Length > 1, $"{csv} has no rows");
                Assert.StartsWith("detector,", lines[0]);
                foreach (var line in lines.Skip(1)) Assert.StartsWith(detector.Label + ",", line);
            }
            Assert.Equal(detector.Label, RunResultsReader.Read(folder).Detector);
        }
        var summary = File.ReadAllLines(Path.Combine(top, ResultFiles.Summary));
        Assert.Equal(File.ReadLines(Path.Combine(top, BlazeFace.Label, ResultFiles.Summary)).First(), summary[0]);
        Assert.Equal(1 + (2 * 8), summary.Length);
    }

    [Fact]
    public void The_top_folder_gets_the_cross_detector_charts_linked_from_its_report()
    {
        var top = RunTwoDetectors();
        foreach (var chart in new[] { "delta_ap_by_detector.png", "delta_ap_by_detector_medium.png", "delta_ap_by_detector_easy.png", "speed_ratio_by_detector_scalar.png", "speed_ratio_by_detector_simd.png" })
        {
            var path = Path.Combine(top, ResultFiles.ChartsFolder, chart);
            Assert.True(File.Exists(path), chart);
            Assert.True(new FileInfo(path).Length > 10_000, chart);
        }
        var report = File.ReadAllText(Path.Combine(top, ResultFiles.Report));
        Assert.Contains("(charts/delta_ap_by_detector.png)", report);
        Assert.Contains("(charts/speed_ratio_by_detector_scalar.png)", report);
    }

    [Fact]
    public void A_single_detector_synthetic_run_labels_its_rows_synthetic()
    {
        var result = RunSession.Run(new RunRequest { Suite = RunSessionTests.SmallSuite(images: 4), OutputDir = Path.Combine(_dir, "one"), CacheRoot = Path.Combine(_dir, "cache") }, observer: null, TestContext.Current.CancellationToken);
        Assert.Equal(RunResults.SyntheticDetector, result.Results!.Detector);
        var records = CsvFiles.Read<ApRecord>(Path.Combine(result.OutputDir, ResultFiles.Ap), ["detector"]);
        Assert.All(records, r => Assert.Equal("synthetic", r.Detector));
    }

    [Fact]
    public void A_summary_written_before_the_detector_column_still_reads()
    {
        var folder = Path.Combine(_dir, "old");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ResultFiles.Summary),
            "suite,variant,backend,status,ap_easy,ap_medium,ap_hard,median_ms\nq,nms,scalar,ok,0.5,0.4,0.3,1.5\nq,gc,scalar,ok,0.5,0.4,0.3,1.0\n");
        var run = RunResultsReader.Read(folder);
        Assert.Equal("", run.Detector);
        Assert.Equal(2, run.Rows.Count);
    }
}
