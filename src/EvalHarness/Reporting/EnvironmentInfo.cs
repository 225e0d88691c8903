using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EvalHarness.IO;

namespace EvalHarness.Reporting;

/// <summary>Where a run happened: the facts needed to judge whether two runs' timings are comparable.</summary>
public sealed record EnvironmentInfo
{
    public string CpuModel { get; init; } = "unknown";
    public int LogicalCores { get; init; }

    /// <summary>Widest hardware-accelerated vector: 512, 256, 128 or 0 (scalar only).</summary>
    public int SimdWidthBits { get; init; }

    public string Os { get; init; } = "";
    public string Architecture { get; init; } = "";
    public string DotNetVersion { get; init; } = "";
    public string OnnxRuntimeVersion { get; init; } = "";
    public string? GpuName { get; init; }
    public string? GpuDriver { get; init; }
    public string? GitCommit { get; init; }
    public DateTimeOffset CapturedAt { get; init; }

    /// <summary>Reads this machine; never spawns a process (the git commit comes from .git files).</summary>
    public static EnvironmentInfo Capture(string? gpuName = null, string? gpuDriver = null, string? repositoryRoot = null)
    {
        repositoryRoot ??= DataPaths.FindRepositoryRoot(AppContext.BaseDirectory) ?? DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory());
        return new EnvironmentInfo
        {
            CpuModel = ReadCpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString(),
            LogicalCores = Environment.ProcessorCount,
            SimdWidthBits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0,
            Os = RuntimeInformation.OSDescription,
            Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
            DotNetVersion = RuntimeInformation.FrameworkDescription,
            OnnxRuntimeVersion = AssemblyVersion(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly),
            GpuName = gpuName,
            GpuDriver = gpuDriver,
            GitCommit = repositoryRoot is null ? null : GitInfo.ReadHeadCommit(repositoryRoot),
            CapturedAt = DateTimeOffset.UtcNow,
        };
    }

    private static string? ReadCpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return null;
        try
        {
            foreach (var line in File.ReadLines(cpuinfo))
            {
                // x86: "model name"; some ARM kernels only have "Hardware" or "Model".
                if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Hardware", StringComparison.Ordinal))
                {
                    var colon = line.IndexOf(':');
                    if (colon > 0) return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // an unreadable /proc is not worth failing a run over
        }
        return null;
    }

    private static string AssemblyVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var plus = informational.IndexOf('+');
            return plus > 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString() ?? "unknown";
    }
}

/// <summary>Reads the checked-out commit from the .git files (plain repos and worktrees), without running git.</summary>
internal static class GitInfo
{
    public static string? ReadHeadCommit(string repositoryRoot)
    {
        try
        {
            var gitDir = ResolveGitDir(repositoryRoot);
            if (gitDir is null) return null;
            var head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
            if (!head.StartsWith("ref:", StringComparison.Ordinal)) return IsSha(head) ? head : null;
            var refName = head[4..].Trim();
            // A worktree keeps HEAD in its own folder but refs in the common one.
            var commonDir = gitDir;
            var commonFile = Path.Combine(gitDir, "commondir");
            if (File.Exists(commonFile)) commonDir = Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonFile).Trim()));
            foreach (var dir in new[] { gitDir, commonDir })
            {
                var loose = Path.Combine(dir, refName);
                if (File.Exists(loose))
                {
                    var sha = File.ReadAllText(loose).Trim();
                    if (IsSha(sha)) return sha;
                }
            }
            var packed = Path.Combine(commonDir, "packed-refs");
            if (File.Exists(packed))
            {
                foreach (var line in File.ReadLines(packed))
                {
                    if (line.EndsWith(" " + refName, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
                }
            }
        }
        catch (IOException)
        {
            // a half-written or missing .git file: no commit rather than a failed run
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static string? ResolveGitDir(string root)
    {
        var dotGit = Path.Combine(root, ".git");
        if (Directory.Exists(dotGit)) return dotGit;
        if (!File.Exists(dotGit)) return null;
        var text = File.ReadAllText(dotGit).Trim();
        if (!text.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
        return Path.GetFullPath(Path.Combine(root, text[7..].Trim()));
    }

    private static bool IsSha(string s)
    {
        if (s.Length is not (40 or 64)) return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        return true;
    }
}
