using System.CommandLine;
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
    public const int Cancelled = 130;
}

internal static class CliRunner
{
    /// <summary>Runs the command line; the harness's own errors become one clear line on stderr and exit code 2.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
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
            // Without this, System.CommandLine's own handler swallows our exceptions (stack trace, exit 1).
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (EvalHarnessException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled; finished results were kept");
            return ExitCodes.Cancelled;
        }
    }
}
