using System.CommandLine;
using EvalHarness.Cli.Interaction;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Cli;

/// <summary><c>baseline update RUN --reason "…"</c>: makes a run the committed baseline of its suite.</summary>
internal sealed class BaselineVerb(CliOutput output) : Verb(output)
{
    private readonly Argument<string> _run = VerbOptions.Argument<string>("run", "Results folder of the run that becomes the baseline");
    private readonly Option<string> _reason = VerbOptions.Required<string>("--reason", "Why the baseline changes (logged in results/baseline/BASELINE.md)");
    private readonly Option<string?> _baselineDir = VerbOptions.Optional<string?>("--baseline-dir", "Baseline root (default: results/baseline in the repository)");

    public override Command Create() => Group("baseline", "Manage the committed baseline results",
        Command("update", "Copy a run's small result files into the baseline and log the reason", [_run, _reason, _baselineDir], Update));

    private int Update(ParseResult parse, CancellationToken cancellationToken)
    {
        var run = parse.GetValue(_run)!;
        RunFolder.RequireCompleteIfRunFolder(run);
        var target = BaselineStore.Update(run, parse.GetValue(_baselineDir) ?? BaselineStore.DefaultRoot(), parse.GetValue(_reason)!, DateTimeOffset.UtcNow);
        Output.Line($"baseline updated: {target}");
        return ExitCodes.Success;
    }
}
