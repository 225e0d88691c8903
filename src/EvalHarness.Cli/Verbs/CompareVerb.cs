using System.CommandLine;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Cli;

/// <summary><c>compare BASELINE CURRENT</c>: exit 0 when nothing regressed, 1 on a regression, 2 on unusable input.</summary>
internal static class CompareVerb
{
    public static Command Create()
    {
        var baseline = new Argument<string>("baseline") { Description = "Baseline results folder (or its summary.csv), e.g. results/baseline/quick" };
        var current = new Argument<string>("current") { Description = "Current results folder (or its summary.csv)" };
        var latencyThreshold = new Option<double>("--latency-threshold")
        {
            Description = "Relative slowdown of the normalised median latency that counts (0.15 = 15%)",
            DefaultValueFactory = _ => 0.15,
        };
        var alpha = new Option<double>("--alpha") { Description = "Significance level of the Mann-Whitney test", DefaultValueFactory = _ => 0.01 };
        var apTolerance = new Option<double>("--ap-tolerance") { Description = "Allowed absolute AP difference (0: exact)", DefaultValueFactory = _ => 0.0 };
        var output = new Option<string?>("--out") { Description = "Folder for compare.md and compare.csv (default: CURRENT)" };

        var command = new Command("compare", "Compare a run with a baseline run of the same suite; exit 1 on a regression")
        {
            baseline, current, latencyThreshold, alpha, apTolerance, output,
        };
        command.SetAction(parse =>
        {
            var options = new CompareOptions
            {
                LatencyThreshold = parse.GetValue(latencyThreshold),
                Alpha = parse.GetValue(alpha),
                ApTolerance = parse.GetValue(apTolerance),
            };
            var currentPath = parse.GetValue(current)!;
            RunFolder.RequireCompleteIfRunFolder(parse.GetValue(baseline)!);
            RunFolder.RequireCompleteIfRunFolder(currentPath);
            var report = RunComparer.Compare(parse.GetValue(baseline)!, currentPath, options);
            var outFolder = parse.GetValue(output)
                ?? (Directory.Exists(currentPath) ? currentPath : Path.GetDirectoryName(Path.GetFullPath(currentPath))!);
            report.Write(outFolder);
            Console.Out.Write(report.ToMarkdown());
            Console.Out.WriteLine($"\nwritten: {Path.Combine(outFolder, "compare.md")}, {Path.Combine(outFolder, "compare.csv")}");
            return report.HasRegression ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }
}
