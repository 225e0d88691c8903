using System.Globalization;
using System.IO.Enumeration;
using System.Text;
using System.Text.Unicode;
using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>
/// Reads a WIDER FACE prediction folder (<c>&lt;event&gt;/&lt;image&gt;.txt</c>: image name, count,
/// then <c>x y w h score</c> lines) under the rules of one evaluation protocol.
/// <para>
/// <b>python</b> (the public port): every file of every event folder is read; the key is the last
/// path component of line 1 with trailing '.', 'j', 'p', 'g' characters stripped (the port's
/// <c>rstrip('.jpg')</c>); the count line is ignored; each later line is split on single spaces,
/// skipped when its first field is empty, and its first five fields are parsed with Python's
/// <c>float()</c> rules. Where the port would crash (a file at the top level, a subfolder, an
/// empty file, a bad number, too few fields, text that is not UTF-8) this reader throws a
/// <see cref="DataFormatException"/> naming the file and line, or, when lenient, reads that
/// file with the matlab rules and records a warning.
/// </para>
/// <para>
/// <b>matlab</b> (the official eval_tools): each ground-truth image is looked up as
/// <c>&lt;event&gt;/&lt;key&gt;.txt</c>; exactly <c>count</c> lines are read, split on any whitespace;
/// a missing or malformed file gives no detections and a warning; boxes are sorted by score,
/// descending, stable.
/// </para>
/// </summary>
public static class PredictionFolderReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads every file of every event folder under the python protocol's rules.</summary>
    public static PredictionSet ReadPython(string predictionDir, bool lenient, ICollection<string> warnings)
    {
        if (!Directory.Exists(predictionDir))
        {
            throw new DataFormatException(predictionDir, 0, "prediction folder not found");
        }

        // Ordinal order makes reading (and any error) deterministic; the port's os.listdir order
        // only matters for duplicate keys, which are rejected below.
        var files = new List<(string Event, string Path)>();
        foreach (var (entry, isDirectory) in SortedEntries(predictionDir))
        {
            if (!isDirectory)
            {
                if (!lenient)
                {
                    throw new DataFormatException(entry, 0, "not a folder: the python protocol reads every entry of the prediction folder as an event folder (the python port stops here); remove it or use --lenient");
                }
                warnings.Add($"{entry}: skipped, not an event folder");
                continue;
            }
            var eventName = Path.GetFileName(entry);
            foreach (var (file, isSubfolder) in SortedEntries(entry))
            {
                if (isSubfolder)
                {
                    if (!lenient)
                    {
                        throw new DataFormatException(file, 0, "a subfolder inside an event folder (the python port stops here); remove it or use --lenient");
                    }
                    warnings.Add($"{file}: skipped, a subfolder inside an event folder");
                    continue;
                }
                files.Add((eventName, file));
            }
        }

        var parsed = new ImagePredictions?[files.Count];
        var errors = new DataFormatException?[files.Count];
        var fileWarnings = new string?[files.Count];
        Parallel.For(0, files.Count, () => Array.Empty<byte>(), (i, _, buffer) =>
        {
            var (eventName, path) = files[i];
            try
            {
                parsed[i] = ParsePythonFile(path, eventName, ReadPooled(path, ref buffer));
            }
            catch (DataFormatException ex) when (lenient)
            {
                fileWarnings[i] = $"{ex.Message}; read with the matlab rules (--lenient)";
                parsed[i] = ParseLenientFallback(path, eventName);
            }
            catch (DataFormatException ex)
            {
                errors[i] = ex;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (lenient)
                {
                    fileWarnings[i] = $"{path}: unreadable ({ex.Message}); no detections (--lenient)";
                    parsed[i] = new ImagePredictions { Event = eventName, ImageKey = MatlabKey(path), Boxes = [] };
                }
                else
                {
                    errors[i] = new DataFormatException(path, 0, $"cannot read prediction file: {ex.Message}", ex);
                }
            }
            return buffer;
        }, static _ => { });

        var set = new PredictionSet { Source = predictionDir };
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            if (errors[i] is { } error) throw error;
            if (fileWarnings[i] is { } warning) warnings.Add(warning);
            var image = parsed[i]!;
            if (origin.TryGetValue(image.ImageKey, out var first))
            {
                throw new DataFormatException(files[i].Path, 1,
                    $"image '{image.ImageKey}' is also named by {first}; the python port would keep whichever file its directory listing returns last, so the result would not be reproducible");
            }
            origin[image.ImageKey] = files[i].Path;
            set.Set(image);
        }
        return set;
    }

    /// <summary>Reads the file of every ground-truth image under the matlab protocol's rules (missing or malformed: no detections, with a warning).</summary>
    public static PredictionSet ReadMatlab(string predictionDir, GroundTruth groundTruth, ICollection<string> warnings)
    {
        if (!Directory.Exists(predictionDir))
        {
            throw new DataFormatException(predictionDir, 0, "prediction folder not found");
        }
        var images = groundTruth.Images;
        var parsed = new PredBox[images.Count][];
        var fileWarnings = new string?[images.Count];
        Parallel.For(0, images.Count, i =>
        {
            var path = Path.Combine(predictionDir, images[i].Event, images[i].ImageKey + ".txt");
            parsed[i] = ReadMatlabFile(path, out fileWarnings[i]);
        });

        var set = new PredictionSet { Source = predictionDir };
        for (var i = 0; i < images.Count; i++)
        {
            if (fileWarnings[i] is { } warning) warnings.Add(warning);
            set.Set(new ImagePredictions { Event = images[i].Event, ImageKey = images[i].ImageKey, Boxes = parsed[i] });
        }
        return set;
    }

    /// <summary>Parses one file under the python rules; <paramref name="eventName"/> is the folder it was found in.</summary>
    internal static ImagePredictions ParsePythonFile(string path, string eventName, ReadOnlySpan<byte> bytes)
    {
        if (!Utf8.IsValid(bytes))
        {
            throw new DataFormatException(path, 0, "not UTF-8 text (the python port stops here)");
        }
        if (bytes.IsEmpty)
        {
            throw new DataFormatException(path, 0, "empty file: the python port needs the image name on line 1 (it stops here)");
        }
        var lines = new ByteLineReader(bytes);
        lines.TryNext(out var nameLine);
        var key = PythonKey(Encoding.UTF8.GetString(nameLine));
        lines.TryNext(out _); // the count line: the port never reads it

        // Line breaks bound the number of box lines, so the array is sized once.
        var lineCount = bytes.Count((byte)'\n') + bytes.Count((byte)'\r') + (bytes[^1] is (byte)'\n' or (byte)'\r' ? 0 : 1);
        var boxes = new PredBox[Math.Max(0, lineCount - 2)];
        var count = 0;
        var lineNumber = 2;
        while (lines.TryNext(out var line))
        {
            lineNumber++;
            if (line.IsEmpty || line[0] == (byte)' ') continue; // first field empty: the port skips the line
            boxes[count++] = ParsePythonBoxLine(path, lineNumber, line);
        }
        if (count != boxes.Length) Array.Resize(ref boxes, count);
        return new ImagePredictions { Event = eventName, ImageKey = key, Boxes = boxes };
    }

    /// <summary>Reads a whole file into a per-thread buffer that grows as needed (the parsed boxes never point into it).</summary>
    private static ReadOnlySpan<byte> ReadPooled(string path, ref byte[] buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(handle);
        if (length > int.MaxValue / 2) throw new DataFormatException(path, 0, $"prediction file of {length} bytes is too large");
        if (buffer.Length < length + 1) buffer = new byte[Math.Max((int)length + 1, 64 * 1024)];
        var total = 0;
        while (true)
        {
            // Read until end of file even if the file grew since its length was taken.
            if (total == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0) break;
            total += read;
        }
        return buffer.AsSpan(0, total);
    }

    /// <summary>The port's <c>line.split(' ')</c>, then <c>float()</c> of the first five fields (later fields are never looked at).</summary>
    private static PredBox ParsePythonBoxLine(string path, int lineNumber, ReadOnlySpan<byte> line)
    {
        Span<double> values = stackalloc double[5];
        var rest = line;
        for (var field = 0; field < 5; field++)
        {
            var space = rest.IndexOf((byte)' ');
            var token = space < 0 ? rest : rest[..space];
            if (!PythonFloat.TryParse(token, out values[field]))
            {
                var text = Encoding.UTF8.GetString(line);
                throw new DataFormatException(path, lineNumber,
                    $"field {field + 1} '{Shorten(Encoding.UTF8.GetString(token))}' is not a number: '{Shorten(text)}'" + SeparatorHint(text));
            }
            if (field == 4) break;
            if (space < 0)
            {
                var text = Encoding.UTF8.GetString(line);
                throw new DataFormatException(path, lineNumber,
                    $"{field + 1} space-separated field(s) where the python protocol needs 5 (x y w h score): '{Shorten(text)}'" + SeparatorHint(text));
            }
            rest = rest[(space + 1)..];
        }
        return new PredBox(values[0], values[1], values[2], values[3], values[4]);
    }

    private static string SeparatorHint(ReadOnlySpan<char> line)
    {
        if (line.Contains('\t')) return " (tabs are not separators for the python port: use single spaces)";
        if (line.Contains(',')) return " (commas are not separators for the python port: use single spaces)";
        if (line.Contains("  ", StringComparison.Ordinal)) return " (a double space makes an empty field for the python port: use single spaces)";
        return "";
    }

    /// <summary>The port's key: last '/' component of line 1, then <c>rstrip('.jpg')</c> (which strips characters, not a suffix).</summary>
    internal static string PythonKey(ReadOnlySpan<char> nameLine)
    {
        var slash = nameLine.LastIndexOf('/');
        var name = slash >= 0 ? nameLine[(slash + 1)..] : nameLine;
        return name.TrimEnd(".jpg").ToString();
    }

    private static string MatlabKey(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".txt", StringComparison.Ordinal) ? name[..^4] : name;
    }

    /// <summary>--lenient: a file the python port would crash on is read the way eval_tools reads it, keyed by its file name.</summary>
    private static ImagePredictions ParseLenientFallback(string path, string eventName)
    {
        var boxes = ReadMatlabFile(path, out _);
        return new ImagePredictions { Event = eventName, ImageKey = MatlabKey(path), Boxes = boxes };
    }

    /// <summary>eval_tools' read_pred.m: exactly <c>count</c> lines after the count line, each split on whitespace; any problem: no detections.</summary>
    internal static PredBox[] ReadMatlabFile(string path, out string? warning)
    {
        warning = null;
        string text;
        try
        {
            text = Decode(path, File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            warning = $"{path}: no prediction file; the image has no detections";
            return [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DataFormatException)
        {
            warning = $"{path}: unreadable ({ex.Message}); the image has no detections";
            return [];
        }
        return ParseMatlabText(path, text, out warning);
    }

    internal static PredBox[] ParseMatlabText(string path, string text, out string? warning)
    {
        warning = null;
        var lines = new LineReader(text);
        if (!lines.TryNext(out _) || !lines.TryNext(out var countLine))
        {
            warning = $"{path}: no count line; the image has no detections";
            return [];
        }
        if (!int.TryParse(countLine.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
        {
            warning = $"{path}:2: count '{Shorten(countLine)}' is not an integer; the image has no detections";
            return [];
        }
        if (count <= 0) return [];
        if (count > text.Length)
        {
            // Each box line takes at least one character: a count beyond that cannot be met, and must not size an array.
            warning = $"{path}: count says {count} boxes but the file is only {text.Length} characters long; the image has no detections";
            return [];
        }

        var boxes = new PredBox[count];
        Span<double> values = stackalloc double[5];
        for (var k = 0; k < count; k++)
        {
            if (!lines.TryNext(out var line))
            {
                warning = $"{path}: count says {count} boxes but the file has only {k}; the image has no detections";
                return [];
            }
            var field = 0;
            foreach (var range in line.SplitAny(" \t\v\f\r\n"))
            {
                var token = line[range];
                if (token.IsEmpty) continue;
                if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out values[field]))
                {
                    warning = $"{path}:{k + 3}: '{Shorten(token)}' is not a number; the image has no detections";
                    return [];
                }
                if (++field == 5) break;
            }
            if (field < 5)
            {
                warning = $"{path}:{k + 3}: {field} number(s) where x y w h score were expected; the image has no detections";
                return [];
            }
            boxes[k] = new PredBox(values[0], values[1], values[2], values[3], values[4]);
        }
        SortByScoreDescendingStable(boxes);
        return boxes;
    }

    /// <summary>MATLAB's <c>sort(..., 'descend')</c>: stable, NaN first.</summary>
    internal static void SortByScoreDescendingStable(PredBox[] boxes)
    {
        var keys = new (double Score, int Index)[boxes.Length];
        for (var i = 0; i < boxes.Length; i++) keys[i] = (boxes[i].Score, i);
        var original = (PredBox[])boxes.Clone();
        Array.Sort(keys, static (a, b) =>
        {
            var aNaN = double.IsNaN(a.Score);
            var bNaN = double.IsNaN(b.Score);
            if (aNaN != bNaN) return aNaN ? -1 : 1;
            if (!aNaN && a.Score != b.Score) return a.Score > b.Score ? -1 : 1;
            return a.Index.CompareTo(b.Index);
        });
        for (var i = 0; i < boxes.Length; i++) boxes[i] = original[keys[i].Index];
    }

    private static string Decode(string path, byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DataFormatException(path, 0, $"not UTF-8 text (the python port stops here): {ex.Message}", ex);
        }
    }

    /// <summary>The entries of a folder in ordinal order; the kind comes from the directory listing itself (no stat per file).</summary>
    private static (string Path, bool IsDirectory)[] SortedEntries(string dir)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        var entries = new FileSystemEnumerable<(string, bool)>(dir,
            static (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.IsDirectory), options).ToArray();
        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return entries;
    }

    private static string Shorten(ReadOnlySpan<char> s) =>
        (s.Length <= 80 ? s.ToString() : s[..77].ToString() + "...").Replace("\t", "\\t");

    /// <summary>Universal newlines over UTF-8 bytes (CR and LF are never part of a multi-byte sequence).</summary>
    private ref struct ByteLineReader(ReadOnlySpan<byte> text)
    {
        private ReadOnlySpan<byte> _rest = text;

        public bool TryNext(out ReadOnlySpan<byte> line)
        {
            if (_rest.IsEmpty)
            {
                line = default;
                return false;
            }
            var end = _rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                line = _rest;
                _rest = default;
                return true;
            }
            line = _rest[..end];
            var skip = _rest[end] == (byte)'\r' && end + 1 < _rest.Length && _rest[end + 1] == (byte)'\n' ? 2 : 1;
            _rest = _rest[(end + skip)..];
            return true;
        }
    }

    /// <summary>Python's universal newlines: "\r\n", "\r" and "\n" each end a line; a final line without one still counts.</summary>
    private ref struct LineReader(string text)
    {
        private int _position;

        public bool TryNext(out ReadOnlySpan<char> line)
        {
            if (_position >= text.Length)
            {
                line = default;
                return false;
            }
            var rest = text.AsSpan(_position);
            var end = rest.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                line = rest;
                _position = text.Length;
                return true;
            }
            line = rest[..end];
            var skip = rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1;
            _position += end + skip;
            return true;
        }
    }
}
