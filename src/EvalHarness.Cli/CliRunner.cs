using System.CommandLine;
using System.Runtime.InteropServices;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;

namespace EvalHarness.Cli;

internal static class CliRunner
{
    /// <summary>Set to print the stack trace of an internal error (a bug) under its one-line message.</summary>
    internal const string TraceVariable = "EVALHARNESS_TRACE";

    /// <summary>
    /// Runs the command line. The harness's own errors and file-system errors become one clear
    /// line on stderr and exit code 2; Ctrl-C and SIGTERM cancel the verb's token (the verb stops at
    /// its next checkpoint, keeping what it finished) and exit 130 / 143; a second signal kills at once.
    /// This is the only place where an exception becomes a message.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, CliOutput output)
    {
        using var cancellation = new CancellationTokenSource();
        var signalExit = ExitCodes.Cancelled;
        void OnSignal(PosixSignalContext context)
        {
            if (cancellation.IsCancellationRequested) return; // the second one takes the default action: terminate now
            context.Cancel = true;
            signalExit = context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Cancelled;
            cancellation.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            var parse = root.Parse(args);
            if (args.Length == 0)
            {
                // No verb is a usage error (2), not "the job found a problem" (1): the help, then one line.
                output.Write(HelpText(root.Parse(["--help"])));
                output.Error($"name a verb, e.g. `{ProgramName} run` (the verbs are listed above)");
                return ExitCodes.BadInput;
            }
            if (parse.Errors.Count > 0)
            {
                // A mistyped option or value is bad input (2), not the "job found a problem" code (1) that
                // System.CommandLine would return; one line, like every other input error.
                output.Error(DescribeParseErrors(root, parse, args));
                return ExitCodes.BadInput;
            }
            if (parse.Action is System.CommandLine.Help.HelpAction)
            {
                output.Write(HelpText(parse));
                return ExitCodes.Success;
            }
            // Without EnableDefaultExceptionHandler = false, System.CommandLine's own handler swallows our
            // exceptions (stack trace, exit 1); its own signal handling is replaced by ours above.
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(configuration, cancellation.Token);
        }
        catch (Exception ex) when (Unwrap(ex) is OperationCanceledException && cancellation.IsCancellationRequested)
        {
            CliOutput.RestoreTerminal();
            output.Status("cancelled; finished results were kept");
            return signalExit;
        }
        catch (Exception ex)
        {
            CliOutput.RestoreTerminal();
            output.Error(Describe(Unwrap(ex)));
            if (Unwrap(ex) is EvalHarnessException or IOException or UnauthorizedAccessException) return ExitCodes.BadInput;
            if (Environment.GetEnvironmentVariable(TraceVariable) is { Length: > 0 }) output.Status(ex.ToString());
            return ExitCodes.InternalError;
        }
    }

    /// <summary>What users type (the wrapper script and the README), not the assembly's name.</summary>
    internal const string ProgramName = "evalharness";

    /// <summary>The help System.CommandLine renders, under the name users type instead of the executable's (<c>EvalHarness.Cli</c>).</summary>
    private static string HelpText(ParseResult help)
    {
        using var text = new StringWriter();
        help.Invoke(new InvocationConfiguration { Output = text });
        return text.ToString().Replace(RootCommand.ExecutableName, ProgramName, StringComparison.Ordinal);
    }

    /// <summary>A mistyped verb names the verbs (and the nearest one); other parse errors become one sentence.</summary>
    private static string DescribeParseErrors(RootCommand root, ParseResult parse, string[] args)
    {
        if (parse.CommandResult.Command == root && !args[0].StartsWith('-'))
        {
            var verbs = root.Subcommands.Select(c => c.Name).ToList();
            var nearest = verbs.OrderBy(v => EditDistance(v, args[0])).First();
            var hint = EditDistance(nearest, args[0]) <= 2 ? $"; did you mean '{nearest}'?" : "";
            return $"unknown verb '{args[0]}'{hint} (verbs: {string.Join(", ", verbs)})";
        }
        var verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
        return $"{string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')))} (see {ProgramName}{verb} --help)";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>One line for the user: the harness's messages as they are; file-system errors with the path .NET names.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        EvalHarnessException => ex.Message,
        PathTooLongException => $"path too long: {ex.Message}",
        UnauthorizedAccessException => $"permission denied: {ex.Message}",
        IOException when IsDiskFull(ex) => $"disk full: {ex.Message} (files written before are complete; free space and rerun to resume)",
        IOException when (ex.HResult & 0xFFFF) == 27 => $"no room to write: {ex.Message} (files written before are complete; rerun with room to resume)", // EFBIG
        IOException => $"file system: {ex.Message}",
        OperationCanceledException => "cancelled",
        _ => $"internal error (a bug in evalharness, please report it): {ex.GetType().Name}: {ex.Message} (set {TraceVariable}=1 for the stack trace)",
    };

    private static bool IsDiskFull(Exception ex) =>
        (ex.HResult & 0xFFFF) is 28 or 112 // ENOSPC, ERROR_DISK_FULL
        || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } aggregate) ex = aggregate.InnerExceptions[0];
        return ex;
    }
}
