using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EvalHarness.IO;

/// <summary>
/// Writes files so that a reader (or a resumed run) only ever sees a complete file: the bytes go
/// to a temporary sibling, are flushed to disk, and the temporary is renamed over the target.
/// A rename within one directory is atomic on the file systems we run on.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(contents);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Runs <paramref name="writeBody"/> against a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> writeBody)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writeBody(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporaries (<c>.NAME.PID.GUID.tmp</c>) that writers which are no longer running
    /// left in <paramref name="directory"/> (a killed process never reaches its cleanup); those of
    /// live processes, this one included, are kept. A folder that other machines may write too (a
    /// shared cache) passes <paramref name="minimumAge"/>: a process id says nothing about another
    /// host, but no write stays unfinished for minutes. Returns how many were deleted.
    /// </summary>
    public static int RemoveStaleTemporaries(string directory, bool recursive = false, TimeSpan minimumAge = default)
    {
        if (!Directory.Exists(directory)) return 0;
        var removed = 0;
        var search = recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        foreach (var path in Directory.EnumerateFiles(directory, ".*.tmp", search))
        {
            if (WriterOf(Path.GetFileName(path)) is not { } pid || IsRunning(pid)) continue;
            if (minimumAge > TimeSpan.Zero && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < minimumAge) continue;
            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for a later run; readers never look at temporaries anyway.
            }
        }
        return removed;
    }

    /// <summary>The writer's process id in a temporary's name, or null when the name is not one of ours.</summary>
    internal static int? WriterOf(string fileName)
    {
        // .NAME.PID.GUID.tmp, where NAME may itself contain dots
        if (!fileName.StartsWith('.') || !fileName.EndsWith(".tmp", StringComparison.Ordinal)) return null;
        var stem = fileName.AsSpan(1, fileName.Length - 5);
        var guidDot = stem.LastIndexOf('.');
        if (guidDot < 0 || stem.Length - guidDot - 1 != 32 || !Guid.TryParseExact(stem[(guidDot + 1)..], "N", out _)) return null;
        var pidPart = stem[..guidDot];
        var pidDot = pidPart.LastIndexOf('.');
        if (pidDot <= 0) return null;
        return int.TryParse(pidPart[(pidDot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (IOException) { /* the original error matters more than a leftover temp file */ }
        catch (UnauthorizedAccessException) { }
    }
}
