using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>
/// A binary copy of the parsed evaluation ground truth, so a cold <c>evaluate</c> skips the MAT
/// parsing and zlib inflation of the four <c>.mat</c> files. The file is keyed by the SHA-256 of
/// those files (any change to them is a different key, so a stale copy is never used) and carries
/// a SHA-256 of its own payload: a damaged, truncated or foreign file fails the check, is ignored
/// and rewritten. Writes are atomic; a folder that cannot be written just means no cache.
/// <para>
/// Layout (little-endian): magic "EHGT", version, the 32-byte key, payload length, payload
/// SHA-256, payload. Payload: image count, then per image the event and key (length-prefixed
/// UTF-8), the box count, the boxes as x, y, w, h float64 and one setting mask byte per box.
/// </para>
/// </summary>
internal static class GroundTruthCache
{
    /// <summary>Overrides the cache folder; <c>off</c> disables the cache.</summary>
    public const string FolderVariable = "EVALHARNESS_CACHE";

    private const uint Magic = 0x54474845; // "EHGT" read as little-endian
    private const int Version = 1;
    private const int HeaderLength = 4 + 4 + 32 + 8 + 32;

    /// <summary>
    /// The cache folder: <c>$EVALHARNESS_CACHE</c>, else <c>$XDG_CACHE_HOME/evalharness</c>, else
    /// <c>~/.cache/evalharness</c> (the local application data folder on Windows); null when disabled
    /// or when there is no home to put it in.
    /// </summary>
    public static string? DefaultFolder()
    {
        var configured = Environment.GetEnvironmentVariable(FolderVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return string.Equals(configured.Trim(), "off", StringComparison.OrdinalIgnoreCase) ? null : configured;
        }
        if (OperatingSystem.IsWindows())
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return string.IsNullOrEmpty(local) ? null : Path.Combine(local, "EvalHarness", "cache");
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "evalharness");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "evalharness");
    }

    /// <summary>The key: SHA-256 over the SHA-256 of each file, in the given order.</summary>
    public static byte[] Key(IReadOnlyList<string> files)
    {
        var digests = new byte[32 * files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            using var stream = new FileStream(files[i], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            SHA256.HashData(stream, digests.AsSpan(32 * i, 32));
        }
        return SHA256.HashData(digests);
    }

    public static string FileName(ReadOnlySpan<byte> key) => $"widerface-gt-{Convert.ToHexStringLower(key)[..32]}.bin";

    /// <summary>The cached ground truth for <paramref name="key"/>, or null when absent, damaged or for another key.</summary>
    public static IReadOnlyList<GroundTruthImage>? TryRead(string path, ReadOnlySpan<byte> key)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return null;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Decode(bytes, key);
    }

    /// <summary>Writes the cache file atomically; false (and nothing written) when the folder is not writable.</summary>
    public static bool TryWrite(string path, ReadOnlySpan<byte> key, IReadOnlyList<GroundTruthImage> images)
    {
        var bytes = Encode(key, images);
        try
        {
            AtomicFile.WriteAllBytes(path, bytes);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static byte[] Encode(ReadOnlySpan<byte> key, IReadOnlyList<GroundTruthImage> images)
    {
        using var payload = new MemoryStream(1 << 20);
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(images.Count);
            foreach (var image in images)
            {
                writer.Write(image.Event);
                writer.Write(image.ImageKey);
                writer.Write(image.Boxes.Length);
                foreach (var box in image.Boxes)
                {
                    writer.Write(box.X);
                    writer.Write(box.Y);
                    writer.Write(box.W);
                    writer.Write(box.H);
                }
                foreach (var mask in image.Counted) writer.Write((byte)mask);
            }
        }
        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var bytes = new byte[HeaderLength + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Version);
        key.CopyTo(bytes.AsSpan(8, 32));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(40), body.Length);
        SHA256.HashData(body, bytes.AsSpan(48, 32));
        body.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    internal static IReadOnlyList<GroundTruthImage>? Decode(byte[] bytes, ReadOnlySpan<byte> key)
    {
        if (bytes.Length < HeaderLength
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != Version
            || !bytes.AsSpan(8, 32).SequenceEqual(key)
            || BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(40)) != bytes.Length - HeaderLength)
        {
            return null;
        }
        var body = bytes.AsSpan(HeaderLength);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        if (!digest.SequenceEqual(bytes.AsSpan(48, 32))) return null;

        // The checksum vouches for the bytes, but a reader must still never trust a length it did not write.
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, HeaderLength, body.Length, writable: false), Encoding.UTF8);
            var count = reader.ReadInt32();
            if (count < 0 || count > body.Length) return null;
            var images = new GroundTruthImage[count];
            var events = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var eventName = reader.ReadString();
                if (events.TryGetValue(eventName, out var interned)) eventName = interned;
                else events[eventName] = eventName;
                var imageKey = reader.ReadString();
                var boxCount = reader.ReadInt32();
                if (boxCount < 0 || boxCount > body.Length / 33) return null;
                var boxes = new GtBox[boxCount];
                for (var b = 0; b < boxCount; b++) boxes[b] = new GtBox(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
                var counted = new SettingMask[boxCount];
                for (var b = 0; b < boxCount; b++)
                {
                    var mask = reader.ReadByte();
                    if (mask > (byte)SettingMask.All) return null;
                    counted[b] = (SettingMask)mask;
                }
                images[i] = new GroundTruthImage { Event = eventName, ImageKey = imageKey, Boxes = boxes, Counted = counted };
            }
            return reader.BaseStream.Position == reader.BaseStream.Length ? images : null;
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or DecoderFallbackException or FormatException)
        {
            return null;
        }
    }
}
