using System.Diagnostics;
using EvalHarness.IO;
using EvalHarness.Tests.Metrics;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// The installable tool end to end, as a user gets it: scripts/pack.sh packs it, <c>dotnet tool
/// install --tool-path</c> installs it from that folder, and the installed <c>evalharness</c> prints
/// the golden AP of the shared dump.
/// </summary>
public sealed class ToolPackageTests
{
    private static (int Code, string Output) Exec(string file, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) info.ArgumentList.Add(a);
        // The tool must not find its data through the test's environment by accident: it gets explicit paths.
        info.Environment.Remove(DataPaths.WiderFaceRootVariable);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    [Fact]
    public void The_packed_tool_installs_into_a_tool_path_and_evaluates_with_the_golden_digits()
    {
        // Resolve the data first: without the shared dump this test is skipped (failed under CI), before any packing.
        var dump = Path.Combine(TestData.PredictionsRoot, "retinaface-mnet0.25-selftrained");
        var widerRoot = TestData.WiderFaceRoot;
        var repo = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repository root not found");
        using var dir = new EvalFixtures.TempDir();
        var artifacts = Path.Combine(dir.Path, "artifacts");
        var tools = Path.Combine(dir.Path, "tools");

        var pack = Exec("bash", repo, TimeSpan.FromMinutes(10), Path.Combine(repo, "scripts", "pack.sh"), "", artifacts);
        Assert.True(pack.Code == 0, pack.Output);
        Assert.Contains(Directory.GetFiles(artifacts, "*.nupkg"), p => Path.GetFileName(p).StartsWith("EvalHarness.Cli.", StringComparison.Ordinal));

        // Only the packed folder as a source: a package of the same id elsewhere (nuget.org) must not be what gets tested.
        var config = Path.Combine(dir.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="artifacts" value="{artifacts}" />
              </packageSources>
            </configuration>
            """);
        var install = Exec("dotnet", dir.Path, TimeSpan.FromMinutes(5), "tool", "install", "EvalHarness.Cli", "--tool-path", tools, "--configfile", config);
        Assert.True(install.Code == 0, install.Output);

        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "evalharness.exe" : "evalharness");
        var (code, output) = Exec(tool, dir.Path, TimeSpan.FromMinutes(2), "evaluate", "--pred", dump, "--gt", widerRoot);
        Assert.True(code == 0, output);
        Assert.Contains("easy   AP 0.9003152243949055", output);
        Assert.Contains("medium AP 0.8727082460501708", output);
        Assert.Contains("hard   AP 0.719752109388244", output);
    }
}
