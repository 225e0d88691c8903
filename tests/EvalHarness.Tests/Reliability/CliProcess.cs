using System.Diagnostics;

namespace EvalHarness.Tests.Reliability;

/// <summary>The real <c>evalharness</c> executable as a child process (signals, locks and exit codes are per process).</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A suite that runs for many seconds on one core, long enough to be interrupted.</summary>
    public const string SlowSuite = """
        {
          "name": "slow",
          "dataset": { "kind": "synthetic", "seed": 5, "images": 60 },
          "variants": [ "nms", "soft-nms-gaussian", "fast-nms", "gc+nms" ],
          "backends": [ "scalar" ],
          "repeats": 3,
          "warmup": 1,
          "bootstrapResamples": 100
        }
        """;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public static CliProcess Start(string workingDirectory, params string[] args)
    {
        // Through `env --default-signal=INT` (exec, same pid): a test runner started as a background
        // job of a non-interactive shell inherits SIGINT as ignored, and .NET keeps an inherited
        // ignore, so without the reset a Ctrl-C test would pass or fail by how CI was launched.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EvalHarness.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>
    /// The executable started through a shell line that sets up its environment first (a file size
    /// limit, another user): <paramref name="prelude"/> runs in bash, then execs <c>$@</c>, the
    /// <c>dotnet EvalHarness.Cli.dll</c> command with <paramref name="args"/>.
    /// </summary>
    public static CliProcess StartAfter(string workingDirectory, string prelude, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(prelude + " \"$@\"");
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EvalHarness.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new CliProcess(Process.Start(info)!);
    }

    public async Task<(int Code, string Out, string Err)> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return (_process.ExitCode, await _stdout, await _stderr);
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Waits until <paramref name="condition"/> holds while the process still runs.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited) Assert.Fail($"the process ended before {what}: {await _stderr}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"timed out waiting for {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public static int StoredImages(string runDir)
    {
        var images = Path.Combine(runDir, "images");
        return Directory.Exists(images) ? Directory.GetFiles(images, "*.bin").Length : 0;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
