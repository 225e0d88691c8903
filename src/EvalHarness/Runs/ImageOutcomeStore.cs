using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Sources;

namespace EvalHarness.Runs;

/// <summary>
/// Per-image outcome files (<c>images/000123.bin</c>): versioned, checksummed, written atomically.
/// A file that is truncated, corrupt, or from a different plan is reported and recomputed, never used.
/// Each file also names the <see cref="TimingMachine"/> that timed it; a store opened for a run
/// (with a machine) takes only files timed on that machine, one opened to read (merge) takes any.
/// </summary>
internal sealed class ImageOutcomeStore
{
    private const uint Magic = 0x4F494845; // "EHIO"
    private const int Version = 3; // 2: flat indices of the detections; 3: the timing machine's hash in the header
    private const int HeaderBytes = 32;
    public const string FolderName = "images";

    private readonly string _directory;
    private readonly ulong _planHash;
    private readonly TimingMachine? _machine;
    private readonly ulong _machineHash;
    private bool _machineMismatchReported;

    /// <param name="runDirectory">The run folder (outcomes go into its <c>images/</c>).</param>
    /// <param name="planHash">The plan's fingerprint (<see cref="RunPlan.Hash"/>): files of another plan are never used.</param>
    /// <param name="machine">What this run times on; null to read files of any machine (merge) and write "not recorded".</param>
    public ImageOutcomeStore(string runDirectory, ulong planHash, TimingMachine? machine = null)
    {
        _directory = Path.Combine(runDirectory, FolderName);
        _planHash = planHash;
        _machine = machine;
        _machineHash = machine?.Hash ?? 0;
        Directory.CreateDirectory(_directory);
        // A killed run leaves the temporaries of the writes it was in the middle of.
        AtomicFile.RemoveStaleTemporaries(runDirectory);
        AtomicFile.RemoveStaleTemporaries(_directory);
    }

    public string PathOf(int imageIndex) => Path.Combine(_directory, $"{imageIndex:D6}.bin");

    public void Save(ImageOutcome outcome)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            WriteBody(writer, outcome);
        }
        var payload = body.ToArray();
        var checksum = Checksum(payload);
        AtomicFile.Write(PathOf(outcome.ImageIndex), stream =>
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], Version);
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], _planHash);
            BinaryPrimitives.WriteUInt64LittleEndian(header[16..], _machineHash);
            BinaryPrimitives.WriteUInt64LittleEndian(header[24..], checksum);
            stream.Write(header);
            stream.Write(payload);
        });
    }

    /// <summary>
    /// Loads a stored outcome; returns null (with the reason) when it is absent, unusable, or (given
    /// <paramref name="expected"/>) holds another image than the one at this index now.
    /// </summary>
    public ImageOutcome? TryLoad(int imageIndex, ImageRef? expected, out string? problem)
    {
        problem = null;
        var path = PathOf(imageIndex);
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            problem = $"{path}: unreadable ({ex.Message}); recomputing";
            return null;
        }
        if (bytes.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            problem = $"{path}: not an image outcome file or truncated; recomputing";
            return null;
        }
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != Version)
        {
            problem = $"{path}: written by another version of the harness; recomputing";
            return null;
        }
        if (bytes.Length < HeaderBytes)
        {
            problem = $"{path}: not an image outcome file or truncated; recomputing";
            return null;
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)) != _planHash)
        {
            problem = $"{path}: written by a run with other parameters; recomputing";
            return null;
        }
        if (_machine is not null && BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)) != _machineHash)
        {
            // Said once: every other file of that attempt has the same cause.
            if (!_machineMismatchReported)
            {
                problem = $"{path}: timed on another machine or device than this run ({_machine}); recomputing it and every other image timed there, so that the run's latencies come from one machine";
                _machineMismatchReported = true;
            }
            return null;
        }
        var payload = bytes.AsSpan(HeaderBytes);
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)) != Checksum(payload))
        {
            problem = $"{path}: checksum mismatch (corrupt); recomputing";
            return null;
        }
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, HeaderBytes, bytes.Length - HeaderBytes), Encoding.UTF8);
            var outcome = ReadBody(reader);
            if (outcome.ImageIndex != imageIndex)
            {
                problem = $"{path}: holds image {outcome.ImageIndex}, expected {imageIndex}; recomputing";
                return null;
            }
            if (expected is not null && (outcome.Event != expected.Event || outcome.ImageKey != expected.ImageKey))
            {
                problem = $"{path}: holds {outcome.Event}/{outcome.ImageKey}, but image {imageIndex} is now {expected.Event}/{expected.ImageKey}; recomputing";
                return null;
            }
            return outcome;
        }
        catch (EndOfStreamException)
        {
            problem = $"{path}: truncated record; recomputing";
            return null;
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            // BinaryReader's string length prefix was not a valid (or was a negative) 7-bit encoded integer.
            problem = $"{path}: corrupt record; recomputing";
            return null;
        }
    }

    /// <summary>Indices of every stored outcome file (used by <c>merge</c>).</summary>
    public IEnumerable<int> StoredIndices()
    {
        foreach (var file in Directory.EnumerateFiles(_directory, "*.bin"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(file), out var index)) yield return index;
        }
    }

    private static void WriteBody(BinaryWriter w, ImageOutcome o)
    {
        w.Write(o.ImageIndex);
        w.Write(o.Event);
        w.Write(o.ImageKey);
        w.Write(o.CandidateCount);
        w.Write(o.Stages.DecodeMs);
        w.Write(o.Stages.InferenceMs);
        w.Write(o.Stages.DenseDecodeMs);
        w.Write(o.Error is not null);
        if (o.Error is not null) w.Write(o.Error);
        w.Write(o.Cells.Length);
        foreach (var cell in o.Cells)
        {
            w.Write((byte)cell.Status);
            w.Write(cell.Message ?? "");
            w.Write(cell.Detections.Length);
            foreach (var v in cell.Detections) w.Write(v);
            w.Write(cell.FlatIndex.Length);
            foreach (var v in cell.FlatIndex) w.Write(v);
            w.Write(cell.SamplesMs.Length);
            foreach (var v in cell.SamplesMs) w.Write(v);
        }
    }

    private static ImageOutcome ReadBody(BinaryReader r)
    {
        var index = r.ReadInt32();
        var ev = r.ReadString();
        var key = r.ReadString();
        var candidates = r.ReadInt32();
        var stages = new StageTimings(r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
        var error = r.ReadBoolean() ? r.ReadString() : null;
        var cells = new CellOutcome[CheckedLength(r.ReadInt32())];
        for (var i = 0; i < cells.Length; i++)
        {
            var status = (CellStatus)r.ReadByte();
            var message = r.ReadString();
            var detections = new float[CheckedLength(r.ReadInt32())];
            for (var j = 0; j < detections.Length; j++) detections[j] = r.ReadSingle();
            var flatIndex = new int[CheckedLength(r.ReadInt32())];
            for (var j = 0; j < flatIndex.Length; j++) flatIndex[j] = r.ReadInt32();
            var samples = new double[CheckedLength(r.ReadInt32())];
            for (var j = 0; j < samples.Length; j++) samples[j] = r.ReadDouble();
            cells[i] = new CellOutcome { Status = status, Message = message.Length == 0 ? null : message, Detections = detections, FlatIndex = flatIndex, SamplesMs = samples };
        }
        return new ImageOutcome { ImageIndex = index, Event = ev, ImageKey = key, CandidateCount = candidates, Stages = stages, Error = error, Cells = cells };
    }

    private static ulong Checksum(ReadOnlySpan<byte> payload)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(payload, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    // The checksum already passed, so a wild length means a harness bug, not a corrupt file;
    // still, never allocate from an unchecked length.
    private static int CheckedLength(int length) =>
        length is >= 0 and <= 1 << 26 ? length : throw new EndOfStreamException();
}
