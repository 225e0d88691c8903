using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EvalHarness.IO;

namespace EvalHarness.Reporting;

/// <summary>Where a run happened: the facts needed to judge whether two runs' timings are comparable.</summary>
public sealed record EnvironmentInfo
{
    public string CpuModel { get; init; } = "unknown";

    /// <summary>
    /// Vendor, family, model and stepping ("AuthenticAMD family 26 model 2 stepping 1") where
    /// /proc/cpuinfo has them; null elsewhere and in files written before the field. Virtual machines
    /// often name every generation alike ("AMD EPYC"), and generations differ in how fast their
    /// vector units are relative to scalar code.
    /// </summary>
    public string? CpuSignature { get; init; }

    /// <summary>The CPU in words for reports: the model and, where known, its signature.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string CpuDescription => CpuSignature is null ? CpuModel : $"{CpuModel} ({CpuSignature})";
    public int LogicalCores { get; init; }

    /// <summary>Widest hardware-accelerated vector: 512, 256, 128 or 0 (scalar only).</summary>
    public int SimdWidthBits { get; init; }

    public string Os { get; init; } = "";
    public string Architecture { get; init; } = "";
    public string DotNetVersion { get; init; } = "";
    public string OnnxRuntimeVersion { get; init; } = "";
    /// <summary>The GPU the gpu backend used or would use ("CUDA: NVIDIA H200"); null (written as such) when there is none, see <see cref="GpuUnavailable"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public string? GpuName { get; init; }

    /// <summary>Why <see cref="GpuName"/> is null, e.g. "no CUDA/OpenCL device".</summary>
    public string? GpuUnavailable { get; init; }

    public string? GpuDriver { get; init; }
    public string? GitCommit { get; init; }
    public DateTimeOffset CapturedAt { get; init; }

    /// <summary>
    /// Reads this machine; never spawns a process (the git commit comes from .git files). Without
    /// <paramref name="gpuName"/> (no gpu backend ran) the GPU is probed as the gpu backend would
    /// pick it (<see cref="Backends.Gpu.GpuProbe"/>), so env.json always says which GPU there is or why none.
    /// </summary>
    public static EnvironmentInfo Capture(string? gpuName = null, string? gpuDriver = null, string? repositoryRoot = null)
    {
        repositoryRoot ??= DataPaths.FindRepositoryRoot(AppContext.BaseDirectory) ?? DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory());
        string? gpuUnavailable = null;
        if (gpuName is null) (gpuName, gpuUnavailable) = Backends.Gpu.GpuProbe.Describe();
        return CpuOnly() with
        {
            LogicalCores = Environment.ProcessorCount,
            SimdWidthBits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0,
            Os = RuntimeInformation.OSDescription,
            Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
            DotNetVersion = RuntimeInformation.FrameworkDescription,
            OnnxRuntimeVersion = AssemblyVersion(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly),
            GpuName = gpuName,
            GpuUnavailable = gpuUnavailable,
            GpuDriver = gpuDriver,
            GitCommit = repositoryRoot is null ? null : GitInfo.ReadHeadCommit(repositoryRoot),
            CapturedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>This machine's CPU in words (<see cref="CpuDescription"/>) without the rest of a capture (no GPU probe).</summary>
    internal static string CurrentCpuDescription() => CpuOnly().CpuDescription;

    /// <summary>This machine's CPU fields, the rest left at their defaults.</summary>
    private static EnvironmentInfo CpuOnly()
    {
        var (model, signature) = ReadCpu();
        return new EnvironmentInfo { CpuModel = model ?? RuntimeInformation.ProcessArchitecture.ToString(), CpuSignature = signature };
    }

    /// <summary>
    /// The CPU's model name and signature from one read of /proc/cpuinfo (both null where it is
    /// missing or unreadable: an unreadable /proc is not worth failing a run over).
    /// </summary>
    private static (string? Model, string? Signature) ReadCpu()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return (null, null);
        string? name = null, vendor = null, family = null, model = null, stepping = null;
        var firstBlock = true;
        try
        {
            foreach (var line in File.ReadLines(cpuinfo))
            {
                // The signature comes from the first processor's block (a blank line ends it); ARM
                // kernels put "Hardware" after every block, so the name is looked for to the end.
                if (line.Length == 0) firstBlock = false;
                var colon = line.IndexOf(':');
                if (colon <= 0) continue;
                var key = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                switch (key)
                {
                    // x86: "model name"; some ARM kernels only have "Hardware".
                    case "model name" or "Hardware": name ??= value; break;
                    case "vendor_id" when firstBlock: vendor = value; break;
                    case "cpu family" when firstBlock: family = value; break;
                    case "model" when firstBlock: model = value; break;
                    case "stepping" when firstBlock: stepping = value; break;
                }
                if (name is not null && !firstBlock) break;
            }
        }
        catch (IOException)
        {
            return (null, null);
        }
        var signature = vendor is null || family is null || model is null ? null : $"{vendor} family {family} model {model} stepping {stepping ?? "?"}";
        return (name, signature);
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
