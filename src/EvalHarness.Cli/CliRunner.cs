using System.CommandLine;
using System.Runtime.InteropServices;
using EvalHarness.IO;

namespace EvalHarness.Cli;

/// <summary>Named exit codes of every verb.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The job ran and found a problem (e.g. a regression in <c>compare</c>).</summary>
    public const int Failure = 1;
    /// <summary>Unusable input: bad file, bad option, missing data.</summary>
    public const int BadInput = 2;
    /// <summary>Ctrl-C (SIGINT), as a shell reports a process killed by it.</summary>
    public const int Cancelled = 130;
    /// <summary>SIGTERM.</summary>
    public const int Terminated = 143;
    /// <summary>A bug in the harness (EX_SOFTWARE); the message says so.</summary>
    public const int InternalError = 70;
}

internal static class CliRunner
{
    /// <summary>Set to print the stack trace of an internal error (a bug) under its one-line message.</summary>
    internal const string TraceVariable = "EVALHARNESS_TRACE";

    /// <summary>
    /// Runs the command line. The harness's own errors and file-system errors become one clear
    /// line on stderr and exit code 2; Ctrl-C and SIGTERM cancel the verb's token (the verb stops at
    /// its next checkpoint, keeping what it finished) and exit 130 / 143; a second signal kills at once.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
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
            if (parse.Errors.Count > 0 && args.Length > 0)
            {
                // A mistyped option or value is bad input (2), not the "job found a problem" code (1) that
                // System.CommandLine would return; one line, like every other input error.
                Console.Error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see --help)");
                return ExitCodes.BadInput;
            }
            // Without EnableDefaultExceptionHandler = false, System.CommandLine's own handler swallows our
            // exceptions (stack trace, exit 1); its own signal handling is replaced by ours above.
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(configuration, cancellation.Token);
        }
        catch (Exception ex) when (Unwrap(ex) is OperationCanceledException && cancellation.IsCancellationRequested)
        {
            RestoreTerminal();
            Console.Error.WriteLine("cancelled; finished results were kept");
            return signalExit;
        }
        catch (Exception ex)
        {
            RestoreTerminal();
            Console.Error.WriteLine($"error: {Describe(Unwrap(ex))}");
            if (Unwrap(ex) is EvalHarnessException or IOException or UnauthorizedAccessException) return ExitCodes.BadInput;
            if (Environment.GetEnvironmentVariable(TraceVariable) is { Length: > 0 }) Console.Error.WriteLine(ex);
            return ExitCodes.InternalError;
        }
    }

    /// <summary>One line for the user: the harness's messages as they are; file-system errors with the path .NET names.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        EvalHarnessException => ex.Message,
        PathTooLongException => $"path too long: {ex.Message}",
        UnauthorizedAccessException => $"permission denied: {ex.Message}",
        IOException when IsDiskFull(ex) => $"disk full: {ex.Message} (files written before are complete; free space and rerun to resume)",
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

    /// <summary>A progress display interrupted mid-frame leaves the cursor hidden; show it again.</summary>
    private static void RestoreTerminal()
    {
        if (Console.IsOutputRedirected) return;
        try
        {
            Spectre.Console.AnsiConsole.Cursor.Show(true);
        }
        catch (IOException)
        {
            // the terminal went away; nothing to restore
        }
    }
}
