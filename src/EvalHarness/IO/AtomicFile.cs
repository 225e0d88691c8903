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
            using (var stream = new NoRoomAsIOException(new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), fullPath))
            {
                writeBody(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (IOException ex) when (NoRoomAsIOException.IsNoRoom(ex) && !ex.Message.Contains(fullPath, StringComparison.Ordinal))
        {
            // .NET names the temporary; the user needs the file that could not be written
            TryDelete(temp);
            throw new IOException($"{ex.Message} (writing {fullPath})", ex.HResult);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// The file stream's writes, with EFBIG (over the file system's or the process's file size limit,
    /// <c>ulimit -f</c>), which .NET reports as an <see cref="ArgumentOutOfRangeException"/> as if
    /// a caller had passed a bad length, turned into the <see cref="IOException"/> it is: no room for
    /// the file, like ENOSPC, and reported the same way (one line naming the file, exit 2).
    /// </summary>
    private sealed class NoRoomAsIOException(FileStream file, string target) : Stream
    {
        public const int FileTooLarge = 27; // EFBIG

        public static bool IsNoRoom(IOException ex) => (ex.HResult & 0xFFFF) is 28 or 112 or FileTooLarge; // ENOSPC, ERROR_DISK_FULL, EFBIG

        public override bool CanRead => false;
        public override bool CanSeek => file.CanSeek;
        public override bool CanWrite => true;
        public override long Length => file.Length;

        public override long Position
        {
            get => file.Position;
            set => file.Position = value;
        }

        public override void Write(byte[] buffer, int offset, int count) => Guard(() => file.Write(buffer, offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                file.Write(buffer);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw TooLarge(ex);
            }
            catch (IOException)
            {
                _failed = true;
                throw;
            }
        }

        public override void WriteByte(byte value) => Guard(() => file.WriteByte(value));

        public override void Flush() => Guard(file.Flush);

        public void Flush(bool flushToDisk) => Guard(() => file.Flush(flushToDisk));

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
        public override void SetLength(long value) => Guard(() => file.SetLength(value));

        private bool _failed;

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            try
            {
                file.Dispose(); // flushes what is buffered: it may hit the limit again
            }
            catch (Exception ex) when (_failed && ex is ArgumentOutOfRangeException or IOException)
            {
                // the first failure is the one being reported; the temporary is deleted anyway
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw TooLarge(ex);
            }
            finally
            {
                base.Dispose(disposing);
            }
        }

        private void Guard(Action write)
        {
            try
            {
                write();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw TooLarge(ex);
            }
            catch (IOException)
            {
                _failed = true; // ENOSPC: Dispose's flush would fail the same way
                throw;
            }
        }

        private IOException TooLarge(ArgumentOutOfRangeException ex)
        {
            _failed = true;
            return new($"File too large: the file system's or this process's file size limit (ulimit -f) was reached (writing {target})", ex) { HResult = FileTooLarge };
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
