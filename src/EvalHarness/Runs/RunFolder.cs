using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Suites;

namespace EvalHarness.Runs;

/// <summary>
/// One results folder of a run and the rules around it: how a new one is named and claimed
/// (exclusively: two runs never share a folder by accident), who owns it while a run writes it
/// (an OS lock held for the process's life, plus an owner record in <c>run.json</c> for the
/// messages), how an unfinished one is found again for resume, and the completion marker that
/// is written last and that every reader (resume, compare, baseline, merge) trusts.
/// </summary>
public sealed class RunFolder : IDisposable
{
    public const string ManifestFile = "run.json";

    /// <summary>Written last, after every result file: a folder without it was interrupted (or is still being written).</summary>
    public const string CompleteFile = "complete.json";

    /// <summary>Held open (flock) by the process that writes the folder; the OS releases it when that process dies, however it dies.</summary>
    internal const string LockFile = ".run.lock";

    private readonly FileStream _lock;

    private RunFolder(string path, FileStream heldLock)
    {
        Path = path;
        _lock = heldLock;
    }

    public string Path { get; }

    /// <summary>
    /// Claims a brand-new folder <c>ROOT/&lt;yyyyMMdd-HHmmss&gt;-&lt;suite&gt;[-shardIofN]</c>; when another run took
    /// that name (same suite, same second) the next free one (<c>…-HHmmss.2-…</c>) is used.
    /// </summary>
    public static RunFolder CreateNew(string resultsRoot, string suiteName, ShardSpec? shard, DateTime utcNow)
    {
        RequireFolderPath(resultsRoot, "results folder");
        var stamp = utcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        for (var attempt = 1; attempt <= 1000; attempt++)
        {
            var name = attempt == 1 ? $"{stamp}-{suiteName}{ShardSuffix(shard)}" : $"{stamp}.{attempt}-{suiteName}{ShardSuffix(shard)}";
            var dir = System.IO.Path.Combine(resultsRoot, name);
            Directory.CreateDirectory(dir);
            // O_CREAT|O_EXCL on the lock file is the exclusive claim: of two runs that picked the same
            // name, exactly one creates it; the other moves on to the next name.
            var held = TryLock(dir, FileMode.CreateNew);
            if (held is not null) return new RunFolder(dir, held);
        }
        throw new UsageException($"{resultsRoot}: could not claim a results folder for {suiteName} (1000 names of this second are taken)");
    }

    /// <summary>
    /// Opens (creating it if needed) a folder named by the user (<c>--out</c>) or found for resume,
    /// for writing. Another live process writing it is an error that names that process.
    /// </summary>
    public static RunFolder OpenForWriting(string dir)
    {
        RequireFolderPath(dir, "--out");
        Directory.CreateDirectory(dir);
        var held = TryLock(dir, FileMode.OpenOrCreate) ?? throw new UsageException($"{dir} is being written by another run ({DescribeOwner(dir)}); wait for it to finish or choose another --out");
        var folder = new RunFolder(dir, held);
        // From here on the folder is being rewritten: it stops being "complete" before any file changes.
        folder.DeleteCompletionMarker();
        return folder;
    }

    /// <summary>
    /// The newest unfinished folder of this suite, fingerprint and shard that no live process
    /// owns, claimed for writing; null when there is none.
    /// </summary>
    public static RunFolder? ClaimResumable(string resultsRoot, string suiteName, string fingerprint, ShardSpec? shard)
    {
        if (!Directory.Exists(resultsRoot)) return null;
        var found = new List<(DateTimeOffset Started, string Dir)>();
        foreach (var dir in Directory.GetDirectories(resultsRoot, $"*-{suiteName}{ShardSuffix(shard)}"))
        {
            if (IsComplete(dir) || TryReadManifest(dir) is not { } manifest) continue;
            if (manifest.Suite != suiteName || manifest.PlanHash != fingerprint || manifest.Shard != shard?.ToString()) continue;
            // A folder another host owns cannot be checked for life from here; leave it to its owner.
            if (manifest.Owner is { } owner && !owner.IsThisHost) continue;
            found.Add((manifest.Owner?.Started ?? Directory.GetCreationTimeUtc(dir), dir));
        }
        found.Sort((a, b) => b.Started.CompareTo(a.Started));
        foreach (var (_, dir) in found)
        {
            // The lock, not the recorded process id, decides: it cannot be fooled by a reused pid.
            var held = TryLock(dir, FileMode.OpenOrCreate);
            if (held is null) continue;
            var folder = new RunFolder(dir, held);
            folder.DeleteCompletionMarker();
            return folder;
        }
        return null;
    }

    /// <summary>Writes <c>run.json</c> with this process as its owner.</summary>
    public void WriteManifest(RunManifest manifest) =>
        AtomicFile.WriteAllText(System.IO.Path.Combine(Path, ManifestFile), JsonSerializer.Serialize(manifest with { Owner = RunOwner.Current }, RunManifestJson.Default.RunManifest) + "\n");

    /// <summary>The last write of a run: every file before it is whole and final.</summary>
    public void MarkComplete(int images)
    {
        var marker = new CompletionMarker { Completed = DateTimeOffset.UtcNow, Images = images, Owner = RunOwner.Current };
        AtomicFile.WriteAllText(System.IO.Path.Combine(Path, CompleteFile), JsonSerializer.Serialize(marker, RunManifestJson.Default.CompletionMarker) + "\n");
    }

    public static bool IsComplete(string dir) => File.Exists(System.IO.Path.Combine(dir, CompleteFile));

    /// <summary>
    /// Refuses a run folder (one with <c>run.json</c>) that lacks the completion marker: its files may be
    /// half the old export and half the new. Folders of bare result files (a baseline) have no manifest and pass.
    /// A summary.csv path stands for its folder.
    /// </summary>
    public static void RequireCompleteIfRunFolder(string folderOrSummary)
    {
        var dir = File.Exists(folderOrSummary) ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(folderOrSummary))! : folderOrSummary;
        if (!File.Exists(System.IO.Path.Combine(dir, ManifestFile)) || IsComplete(dir)) return;
        var owner = DescribeLiveOwner(dir);
        throw new UsageException(owner is null
            ? $"{dir}: incomplete run (no {CompleteFile}: it was interrupted before it finished writing its results); rerun the same command to finish it"
            : $"{dir}: run still in progress ({owner}); wait for it to finish");
    }

    public static RunManifest ReadManifest(string dir)
    {
        var path = System.IO.Path.Combine(dir, ManifestFile);
        if (!File.Exists(path)) throw new UsageException($"{dir}: not a run folder (no {ManifestFile})");
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), RunManifestJson.Default.RunManifest)
                ?? throw new DataFormatException(path, 0, "empty run manifest");
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, (int)(ex.LineNumber ?? 0) + 1, $"not a valid run manifest: {ex.Message}", ex);
        }
    }

    private static RunManifest? TryReadManifest(string dir)
    {
        try
        {
            return ReadManifest(dir);
        }
        catch (Exception ex) when (ex is EvalHarnessException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The resolved image list as a hash of every (event, image) name in order: part of the run's
    /// fingerprint, so a changed <c>events</c>, <c>root</c> or <c>maxImages</c> never resumes the wrong images.
    /// </summary>
    public static string ImageListHash(IReadOnlyList<ImageRef> images)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var image in images)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(image.Event));
            sha.AppendData("/"u8);
            sha.AppendData(Encoding.UTF8.GetBytes(image.ImageKey));
            sha.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Who writes <paramref name="dir"/> now, or null when nobody does.</summary>
    private static string? DescribeLiveOwner(string dir)
    {
        using var probe = TryLock(dir, FileMode.Open);
        if (probe is not null || !File.Exists(System.IO.Path.Combine(dir, LockFile))) return null;
        return DescribeOwner(dir);
    }

    private static string DescribeOwner(string dir) =>
        TryReadManifest(dir)?.Owner is { } owner ? owner.ToString() : "owner unknown";

    /// <summary>Opens and exclusively locks the folder's lock file; null when another process holds it (or, for CreateNew, created it).</summary>
    private static FileStream? TryLock(string dir, FileMode mode)
    {
        var path = System.IO.Path.Combine(dir, LockFile);
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
            return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None);
        }
        catch (FileNotFoundException) when (mode == FileMode.Open)
        {
            return null;
        }
        catch (IOException) when (File.Exists(path))
        {
            // held by another process, or (CreateNew) already created by one; a permission problem
            // is an UnauthorizedAccessException and goes up to the one-line error
            return null;
        }
    }

    private static void RequireFolderPath(string dir, string what)
    {
        if (File.Exists(dir)) throw new UsageException($"{what} '{dir}' is a file, not a folder");
    }

    private void DeleteCompletionMarker() => File.Delete(System.IO.Path.Combine(Path, CompleteFile));

    internal static string ShardSuffix(ShardSpec? shard) => shard is null ? "" : $"-shard{shard.Index}of{shard.Count}";

    public void Dispose() => _lock.Dispose();
}

/// <summary>The process that writes (or last wrote) a run folder.</summary>
public sealed record RunOwner
{
    public required int ProcessId { get; init; }
    public required string Host { get; init; }
    public required DateTimeOffset Started { get; init; }

    public static RunOwner Current { get; } = Capture();

    [JsonIgnore]
    public bool IsThisHost => string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"process {ProcessId} on {Host}, started {Started:yyyy-MM-dd HH:mm:ss} UTC");

    private static RunOwner Capture()
    {
        using var self = Process.GetCurrentProcess();
        return new RunOwner { ProcessId = Environment.ProcessId, Host = Environment.MachineName, Started = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero) };
    }
}

/// <summary>The folder's <c>run.json</c>: what produced the stored outcomes (for resume and merge) and who owns it.</summary>
public sealed record RunManifest
{
    public required string Suite { get; init; }
    public required string SuiteJson { get; init; }

    /// <summary>The run's fingerprint: plan, candidate source and resolved image list.</summary>
    public required string PlanHash { get; init; }
    public required string Source { get; init; }
    public required int Images { get; init; }

    /// <summary>SHA-256 of the resolved image list (every event/image name in order).</summary>
    public string? ImageListSha256 { get; init; }
    public string? Shard { get; init; }

    /// <summary>What executed each planned backend (empty where it was absent).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    public RunOwner? Owner { get; init; }
}

/// <summary>The content of <see cref="RunFolder.CompleteFile"/>.</summary>
internal sealed record CompletionMarker
{
    public required DateTimeOffset Completed { get; init; }
    public required int Images { get; init; }
    public RunOwner? Owner { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunManifest))]
[JsonSerializable(typeof(CompletionMarker))]
internal sealed partial class RunManifestJson : JsonSerializerContext;
