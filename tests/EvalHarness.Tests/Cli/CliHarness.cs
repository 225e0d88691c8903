using System.CommandLine;
using EvalHarness.Cli;
using EvalHarness.Cli.Interaction;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// Runs the real verbs in-process. Console is process-wide, so every test class that runs verbs
/// belongs to <see cref="ConsoleCollection"/>: a verb printing from a parallel test would otherwise
/// land in another test's captured output.
/// </summary>
internal static class CliHarness
{
    public static Task<int> Invoke(params string[] args) => CliRunner.InvokeAsync(Root(), args, CliOutput.Console);

    /// <summary>Runs the verbs with stdout and stderr captured.</summary>
    public static (int Code, string Out, string Err) InvokeCaptured(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = CliRunner.InvokeAsync(Root(), args, CliOutput.Console).GetAwaiter().GetResult();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static RootCommand Root()
    {
        var root = new RootCommand("test");
        foreach (var verb in Verbs.All(CliOutput.Console)) root.Subcommands.Add(verb.Create());
        return root;
    }
}
