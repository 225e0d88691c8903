using System.CommandLine;
using EvalHarness.Cli.Interaction;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Cli;

/// <summary><c>compare BASELINE CURRENT</c>: exit 0 when nothing regressed, 1 on a regression, 2 on unusable input.</summary>
internal sealed class CompareVerb(CliOutput output) : Verb(output)
{
    private readonly Argument<string> _baseline = VerbOptions.Argument<string>("baseline", "Baseline results folder (or its summary.csv), e.g. results/baseline/quick");
    private readonly Argument<string> _current = VerbOptions.Argument<string>("current", "Current results folder (or its summary.csv)");
    private readonly Option<double> _latencyThreshold = VerbOptions.WithDefault("--latency-threshold", "Relative slowdown of the normalised median latency that counts (0.15 = 15%)", 0.15);
    private readonly Option<double> _alpha = VerbOptions.WithDefault("--alpha", "Significance level of the Mann-Whitney test", 0.01);
    private readonly Option<double> _apTolerance = VerbOptions.WithDefault("--ap-tolerance", "Allowed absolute AP difference (0: exact)", 0.0);
    private readonly Option<string?> _latencyBaseline = VerbOptions.Optional<string?>("--latency-baseline",
        "Compare latency with this run (the baseline's commit run on this machine, as CI does) instead of BASELINE's own timings; AP and detections are still compared with BASELINE");
    private readonly Option<string?> _out = VerbOptions.Optional<string?>("--out", "Folder for compare.md and compare.csv (default: CURRENT)");

    public override Command Create() => Command("compare", "Compare a run with a baseline run of the same suite; exit 1 on a regression",
        [_baseline, _current, _latencyThreshold, _alpha, _apTolerance, _latencyBaseline, _out], Execute);

    private int Execute(ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new CompareOptions
        {
            LatencyThreshold = parse.GetValue(_latencyThreshold),
            Alpha = parse.GetValue(_alpha),
            ApTolerance = parse.GetValue(_apTolerance),
        };
        var baseline = parse.GetValue(_baseline)!;
        var current = parse.GetValue(_current)!;
        RunFolder.RequireCompleteIfRunFolder(baseline);
        RunFolder.RequireCompleteIfRunFolder(current);
        var latencyBaseline = parse.GetValue(_latencyBaseline);
        if (latencyBaseline is not null) RunFolder.RequireCompleteIfRunFolder(latencyBaseline);
        var report = RunComparer.Compare(baseline, current, options, latencyBaseline);
        var outFolder = parse.GetValue(_out)
            ?? (Directory.Exists(current) ? current : Path.GetDirectoryName(Path.GetFullPath(current))!);
        report.Write(outFolder);
        Output.Write(report.ToMarkdown());
        Output.Line($"\nwritten: {Path.Combine(outFolder, "compare.md")}, {Path.Combine(outFolder, "compare.csv")}");
        return report.HasRegression ? ExitCodes.Failure : ExitCodes.Success;
    }
}
