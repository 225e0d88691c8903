using System.CommandLine;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Cli;

/// <summary><c>baseline update RUN --reason "…"</c>: makes a run the committed baseline of its suite.</summary>
internal static class BaselineVerb
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Results folder of the run that becomes the baseline" };
        var reason = new Option<string>("--reason") { Description = "Why the baseline changes (logged in results/baseline/BASELINE.md)", Required = true };
        var root = new Option<string?>("--baseline-dir") { Description = "Baseline root (default: results/baseline in the repository)" };
        var update = new Command("update", "Copy a run's small result files into the baseline and log the reason") { run, reason, root };
        update.SetAction(parse =>
        {
            RunFolder.RequireCompleteIfRunFolder(parse.GetValue(run)!);
            var target = BaselineStore.Update(parse.GetValue(run)!, parse.GetValue(root) ?? BaselineStore.DefaultRoot(), parse.GetValue(reason)!, DateTimeOffset.UtcNow);
            Console.Out.WriteLine($"baseline updated: {target}");
            return ExitCodes.Success;
        });
        return new Command("baseline", "Manage the committed baseline results") { update };
    }
}
