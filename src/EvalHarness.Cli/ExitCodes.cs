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
