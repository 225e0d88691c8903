using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.Cache;

/// <summary>The outcome of looking an image up in the cache.</summary>
internal enum CacheLookup
{
    Hit,
    Missing,
    /// <summary>An entry exists but is corrupt, truncated, of another format version or of other parameters; it must be recomputed.</summary>
    Invalid,
}

/// <summary>A cache entry that could not be used, and why.</summary>
public sealed record CacheWarning(string Path, string Problem)
{
    public override string ToString() => $"{Path}: {Problem}";
}

/// <summary>
/// One binary file per image under <c>DIR/&lt;event&gt;/&lt;image&gt;.ehc</c> plus <c>DIR/manifest.json</c>.
/// Entry layout (little-endian): magic <c>EHCM</c>, u16 format version, u16 reserved, the
/// 32-byte SHA-256 of the producing source's description (model hash, decoder, mode, parameters),
/// the 32-byte SHA-256 of the image file's bytes (zeros for images without a file), event and image key (i32 length + UTF-8), image width and height, level count and per level
/// (height, width, anchors, stride), keypoint count, candidate count, then the arrays scores,
/// x1, y1, x2, y2, keypoints (float32), and a trailing SHA-256 of every byte before it. Entries are
/// written atomically (temp + rename), so an interrupted run leaves whole entries only and a
/// rerun resumes where it stopped.
/// </summary>
internal sealed class CandidateCache
{
    /// <summary>2: entries carry the image file's content hash (a re-encoded or replaced image is recomputed, never replayed).</summary>
    public const ushort FormatVersion = 2;
    public const string ManifestFileName = "manifest.json";
    public const string EntryExtension = ".ehc";

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
    private static ReadOnlySpan<byte> Magic => "EHCM"u8;
    private const int HashBytes = 32;
    private const int MaxLevels = 64;

    public string Directory { get; }
    public string SourceDescription { get; }
    public byte[] ParametersHash { get; }

    public CandidateCache(string directory, string sourceDescription)
    {
        Directory = Path.GetFullPath(directory);
        SourceDescription = sourceDescription;
        ParametersHash = SHA256.HashData(Encoding.UTF8.GetBytes(sourceDescription));
    }

    public string ParametersHashHex => Convert.ToHexStringLower(ParametersHash);

    public string EntryPath(string ev, string imageKey) =>
        Path.Combine(Directory, SafeName(ev), SafeName(imageKey) + EntryExtension);

    /// <summary>
    /// Compares the manifest on disk with this cache's parameters and (re)writes it. Returns the
    /// problem with an existing manifest (other parameters, unreadable), or null.
    /// </summary>
    public string? WriteManifest(IReadOnlyDictionary<string, string>? details = null)
    {
        var path = Path.Combine(Directory, ManifestFileName);
        string? problem = null;
        if (File.Exists(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                var old = doc.RootElement.TryGetProperty("parametersSha256", out var p) ? p.GetString() : null;
                if (old != ParametersHashHex)
                {
                    var oldSource = doc.RootElement.TryGetProperty("source", out var s) ? s.GetString() : "?";
                    problem = $"cache was made with other parameters ({oldSource}); its entries will be recomputed";
                }
            }
            catch (JsonException ex)
            {
                problem = $"unreadable manifest ({ex.Message}); rewriting it";
            }
        }
        var manifest = new Dictionary<string, object?>
        {
            ["format"] = "evalharness-candidate-cache",
            ["formatVersion"] = FormatVersion,
            ["source"] = SourceDescription,
            ["parametersSha256"] = ParametersHashHex,
            ["details"] = details ?? new Dictionary<string, string>(),
            ["written"] = DateTime.UtcNow.ToString("O"),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(manifest, IndentedJson) + "\n");
        return problem;
    }

    /// <summary>
    /// Fills <paramref name="map"/> from the entry for (<paramref name="ev"/>, <paramref name="imageKey"/>) when it is
    /// valid for these parameters and was made from an image with these bytes (<paramref name="imageHash"/>, see <see cref="HashImage"/>).
    /// </summary>
    public CacheLookup TryRead(string ev, string imageKey, CandidateMap map, out string? problem, byte[]? imageHash = null)
    {
        var path = EntryPath(ev, imageKey);
        problem = null;
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return CacheLookup.Missing;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"unreadable ({ex.Message})";
            return CacheLookup.Invalid;
        }
        problem = Parse(bytes, ParametersHash, ev, imageKey, map, imageHash);
        return problem is null ? CacheLookup.Hit : CacheLookup.Invalid;
    }

    /// <summary>Writes the entry for <paramref name="map"/> (its Event and ImageKey), made from the image with <paramref name="imageHash"/>, atomically.</summary>
    public void Write(CandidateMap map, byte[]? imageHash = null) => AtomicFile.WriteAllBytes(EntryPath(map.Event, map.ImageKey), Serialize(map, ParametersHash, imageHash));

    /// <summary>SHA-256 of an image file's bytes (about a millisecond for a WIDER image, against tens for its inference).</summary>
    public static byte[] HashImage(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return SHA256.HashData(stream);
    }

    internal static byte[] Serialize(CandidateMap map, byte[] parametersHash, byte[]? imageHash = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the candidate cache is little-endian only");
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write((ushort)0);
            w.Write(parametersHash);
            w.Write(imageHash ?? new byte[HashBytes]);
            WriteString(w, map.Event);
            WriteString(w, map.ImageKey);
            w.Write(map.ImageWidth);
            w.Write(map.ImageHeight);
            w.Write(map.Levels.Length);
            foreach (var l in map.Levels)
            {
                w.Write(l.Height);
                w.Write(l.Width);
                w.Write(l.Anchors);
                w.Write(l.Stride);
            }
            w.Write(map.KeypointCount);
            w.Write(map.Count);
            w.Write(MemoryMarshal.AsBytes(map.ScoreSpan));
            w.Write(MemoryMarshal.AsBytes(map.X1Span));
            w.Write(MemoryMarshal.AsBytes(map.Y1Span));
            w.Write(MemoryMarshal.AsBytes(map.X2Span));
            w.Write(MemoryMarshal.AsBytes(map.Y2Span));
            w.Write(MemoryMarshal.AsBytes(map.Keypoints.AsSpan(0, map.Count * map.KeypointCount * 2)));
        }
        var body = ms.ToArray();
        var result = new byte[body.Length + HashBytes];
        body.CopyTo(result, 0);
        SHA256.HashData(body, result.AsSpan(body.Length));
        return result;
    }

    /// <summary>Returns null and fills <paramref name="map"/>, or the reason the bytes are unusable.</summary>
    internal static string? Parse(byte[] bytes, byte[] parametersHash, string ev, string imageKey, CandidateMap map, byte[]? imageHash = null)
    {
        const int fixedHeader = 4 + 2 + 2 + HashBytes + HashBytes;
        if (bytes.Length < fixedHeader + HashBytes) return $"truncated ({bytes.Length} bytes)";
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic)) return "not a candidate cache entry (bad magic)";
        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4));
        if (version != FormatVersion) return $"format version {version}, this build reads {FormatVersion}";
        var body = bytes.AsSpan(0, bytes.Length - HashBytes);
        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(bytes.AsSpan(bytes.Length - HashBytes))) return "checksum mismatch (corrupt or truncated)";
        if (!bytes.AsSpan(8, HashBytes).SequenceEqual(parametersHash)) return "made with other parameters (model, decoder or mode differ)";
        if (!bytes.AsSpan(8 + HashBytes, HashBytes).SequenceEqual(imageHash ?? new byte[HashBytes])) return "made from other image bytes (the image file was replaced, re-encoded or resized since)";
        var r = new SpanReader(bytes.AsSpan(fixedHeader, body.Length - fixedHeader));
        try
        {
            var storedEvent = r.String();
            var storedKey = r.String();
            if (storedEvent != ev || storedKey != imageKey) return $"holds {storedEvent}/{storedKey}, not {ev}/{imageKey}";
            var width = r.Int();
            var height = r.Int();
            var levelCount = r.Int();
            if (levelCount is < 0 or > MaxLevels) return $"implausible level count {levelCount}";
            var levels = new (int, int, int, float)[levelCount];
            long total = 0;
            for (var i = 0; i < levelCount; i++)
            {
                var (h, w, a, s) = (r.Int(), r.Int(), r.Int(), r.Float());
                if (h < 0 || w < 0 || a < 0) return $"level {i} has a negative size";
                levels[i] = (h, w, a, s);
                total += (long)h * w * a;
            }
            var keypoints = r.Int();
            var count = r.Int();
            if (keypoints is < 0 or > 64) return $"implausible keypoint count {keypoints}";
            if (count != total) return $"candidate count {count} does not match the levels ({total})";
            var floats = ((long)count * 5) + ((long)count * keypoints * 2);
            if (floats * 4 != r.Remaining) return $"array section is {r.Remaining} bytes, expected {floats * 4}";
            map.Reset(levels, keypoints);
            map.Event = storedEvent;
            map.ImageKey = storedKey;
            map.ImageWidth = width;
            map.ImageHeight = height;
            r.Floats(map.ScoreSpan);
            r.Floats(map.X1Span);
            r.Floats(map.Y1Span);
            r.Floats(map.X2Span);
            r.Floats(map.Y2Span);
            r.Floats(map.Keypoints.AsSpan(0, count * keypoints * 2));
            return null;
        }
        catch (EndOfStreamException)
        {
            return "truncated header";
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write(b.Length);
        w.Write(b);
    }

    /// <summary>An event or image key as a single path segment; anything that could escape the cache folder is refused.</summary>
    private static string SafeName(string name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new DataFormatException(name, 0, "event or image name cannot be used as a cache file name");
        }
        return name;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _span = span;

        public readonly int Remaining => _span.Length;

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || n > _span.Length) throw new EndOfStreamException();
            var s = _span[..n];
            _span = _span[n..];
            return s;
        }

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public float Float() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));
        public string String()
        {
            var n = Int();
            if (n > 4096) throw new EndOfStreamException();
            return Encoding.UTF8.GetString(Take(n));
        }
        public void Floats(Span<float> dst) => Take(dst.Length * 4).CopyTo(MemoryMarshal.AsBytes(dst));
    }
}
