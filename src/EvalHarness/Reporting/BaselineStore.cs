using System.Globalization;
using System.Text;
using EvalHarness.IO;

namespace EvalHarness.Reporting;

/// <summary>
/// The committed baseline: <c>results/baseline/&lt;suite&gt;/</c> holds the small files of the run
/// that CI compares against, and <c>results/baseline/BASELINE.md</c> logs every update with its
/// reason, so a changed number in review always comes with a why.
/// </summary>
public static class BaselineStore
{
    public const string LogFileName = "BASELINE.md";

    /// <summary>The files copied from a run; compare needs the first two, the rest explain them.</summary>
    public static readonly string[] CopiedFiles = [ResultFiles.Summary, ResultFiles.LatencySamples, ResultFiles.Ap, ResultFiles.Verdicts, ResultFiles.Environment, ResultFiles.Suite];

    /// <summary>Default root: <c>results/baseline</c> under the repository (or the working directory).</summary>
    public static string DefaultRoot()
    {
        var repo = DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();
        return Path.Combine(repo, "results", "baseline");
    }

    /// <summary>Copies the run's small files into <c>root/&lt;suite&gt;/</c> and appends the reason to the log; returns the suite folder.</summary>
    public static string Update(string runFolder, string root, string reason, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new UsageException("baseline update needs --reason: say why the baseline changes");
        var run = RunResultsReader.Read(runFolder); // validates before anything is overwritten
        var sourceFolder = Directory.Exists(runFolder) ? runFolder : Path.GetDirectoryName(Path.GetFullPath(runFolder))!;
        if (run.Suite.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || run.Suite is "." or "..")
        {
            throw new DataFormatException(Path.Combine(sourceFolder, ResultFiles.Summary), 2, $"suite name '{run.Suite}' cannot be a folder name");
        }
        var target = Path.Combine(root, run.Suite);
        Directory.CreateDirectory(target);
        var copied = new List<string>();
        foreach (var name in CopiedFiles)
        {
            var source = Path.Combine(sourceFolder, name);
            if (!File.Exists(source)) continue;
            AtomicFile.WriteAllBytes(Path.Combine(target, name), File.ReadAllBytes(source));
            copied.Add(name);
        }

        var logPath = Path.Combine(root, LogFileName);
        var log = new StringBuilder(File.Exists(logPath) ? File.ReadAllText(logPath) : "# Baseline updates\n\nEvery change of `results/baseline/` with its reason (newest last).\n");
        log.Append(CultureInfo.InvariantCulture, $"\n## {now.UtcDateTime:yyyy-MM-dd HH:mm} UTC — {run.Suite}\n\n");
        log.Append("Reason: ").Append(reason.Trim()).Append('\n');
        if (run.Environment is { } env)
        {
            log.Append(CultureInfo.InvariantCulture, $"Machine: {env.CpuDescription}, {env.LogicalCores} cores{(env.GpuName is null ? "" : ", " + env.GpuName)}; commit {env.GitCommit ?? "unknown"}\n");
        }
        log.Append("From: `").Append(Path.GetFullPath(sourceFolder)).Append("`; files: ").Append(string.Join(", ", copied)).Append('\n');
        AtomicFile.WriteAllText(logPath, log.ToString());
        return target;
    }
}
