using EvalHarness.IO;
using EvalHarness.Reporting;
using EvalHarness.Suites;

namespace EvalHarness.Runs;

/// <summary>One detector's run inside a several-detector suite.</summary>
internal sealed record DetectorRun(DetectorSpec Detector, RunSessionResult Result);

/// <summary>
/// A suite with several <c>"detectors"</c>: one complete run per detector in
/// <c>&lt;out&gt;/&lt;detector label&gt;/</c> (its own CSVs, charts and report, every ΔAP and verdict
/// against that detector's own <c>nms</c>), then the combined files at the top: summary.csv and
/// verdicts.csv with a <c>detector</c> column, and report.md opening with the verdict matrix.
/// Rerunning with the same <c>--out</c> resumes each detector's run.
/// </summary>
public static class MultiDetectorRun
{
    public static string Run(RunRequest request, Func<RunRequest, RunSessionResult> runOne, DateTime utcNow)
    {
        var suite = request.Suite;
        if (suite.Detectors.Count < 2) throw new InvalidOperationException("a multi-detector run needs at least two detectors");
        if (request.Shard is not null) throw new UsageException($"suite {suite.Name}: --shard with several detectors is not supported; shard one suite file per detector");
        string top;
        if (request.OutputDir is { } chosen)
        {
            top = chosen;
            Directory.CreateDirectory(top);
        }
        else
        {
            // claimed exclusively like any run folder: two such runs in one second never share it
            using var claimed = RunFolder.CreateNew(request.ResultsRoot, suite.Name, null, utcNow);
            top = claimed.Path;
        }
        var runs = new List<DetectorRun>();
        foreach (var detector in suite.Detectors)
        {
            var result = runOne(request with { Suite = suite.ForDetector(detector), OutputDir = Path.Combine(top, detector.Label) });
            runs.Add(new DetectorRun(detector, result));
        }
        MultiDetectorReport.Write(top, suite, runs);
        return top;
    }
}
