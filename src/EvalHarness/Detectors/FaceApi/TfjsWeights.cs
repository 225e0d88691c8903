using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using EvalHarness.IO;

namespace EvalHarness.Detectors.FaceApi;

/// <summary>One tensor of a tfjs weight file, dequantised to float32 (int32 constants as their float values).</summary>
internal sealed record TfjsTensor(string Name, int[] Shape, float[] Values)
{
    public int ElementCount => Values.Length;
}

/// <summary>
/// A tfjs "weights manifest" (<c>*-weights_manifest.json</c>) and its one <c>.bin</c>, decoded as
/// tfjs-core's <c>decodeWeights</c> does (spec faceapi-detectors.md §0): entries back to back in
/// manifest order, no padding; a uint8/uint16-quantised float32 entry is <c>q·scale + min</c>
/// evaluated in float64 and rounded once to float32 (float32 arithmetic differs by 1 ulp on every
/// tensor); a quantised int32 entry is rounded half up like JS <c>Math.round</c>.
/// </summary>
internal sealed class TfjsWeights
{
    private readonly Dictionary<string, TfjsTensor> _tensors;

    public string ManifestPath { get; }
    public string BinPath { get; }

    private TfjsWeights(string manifestPath, string binPath, Dictionary<string, TfjsTensor> tensors)
    {
        ManifestPath = manifestPath;
        BinPath = binPath;
        _tensors = tensors;
    }

    /// <summary>The tensor named <paramref name="name"/> with exactly <paramref name="shape"/>; a clear error naming the file and tensor otherwise.</summary>
    public TfjsTensor Get(string name, params int[] shape)
    {
        if (!_tensors.TryGetValue(name, out var tensor))
        {
            throw new DataFormatException(ManifestPath, 0, $"tensor '{name}' is missing from the weights manifest");
        }
        if (!tensor.Shape.AsSpan().SequenceEqual(shape))
        {
            throw new DataFormatException(ManifestPath, 0, $"tensor '{name}' has shape {Format(tensor.Shape)}, expected {Format(shape)}");
        }
        return tensor;
    }

    public static TfjsWeights Load(string manifestPath)
    {
        if (!File.Exists(manifestPath)) throw new DataFormatException(manifestPath, 0, "weights manifest not found");
        List<Entry> entries;
        string binName;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            var groups = doc.RootElement;
            if (groups.ValueKind != JsonValueKind.Array || groups.GetArrayLength() != 1)
            {
                throw new DataFormatException(manifestPath, 0, "expected a JSON array with exactly one weight group");
            }
            var group = groups[0];
            var paths = group.GetProperty("paths");
            if (paths.GetArrayLength() != 1) throw new DataFormatException(manifestPath, 0, $"expected one .bin path in the weight group, found {paths.GetArrayLength()}");
            binName = paths[0].GetString() ?? throw new DataFormatException(manifestPath, 0, "the .bin path is not a string");
            entries = group.GetProperty("weights").EnumerateArray().Select(w => ParseEntry(manifestPath, w)).ToList();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException(manifestPath, 0, $"not a tfjs weights manifest ({ex.Message})", ex);
        }
        var binPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, binName);
        if (!File.Exists(binPath)) throw new DataFormatException(binPath, 0, $"weight file named by {manifestPath} not found");
        var bin = File.ReadAllBytes(binPath);
        long expected = 0;
        foreach (var e in entries) expected += e.ByteLength;
        if (expected != bin.Length)
        {
            throw new DataFormatException(binPath, 0, $"the manifest {Path.GetFileName(manifestPath)} describes {expected} bytes in {entries.Count} tensors, the file has {bin.Length}");
        }
        var tensors = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var e in entries)
        {
            var bytes = bin.AsSpan(offset, (int)e.ByteLength);
            offset += (int)e.ByteLength;
            if (!tensors.TryAdd(e.Name, new TfjsTensor(e.Name, e.Shape, Decode(e, bytes))))
            {
                throw new DataFormatException(manifestPath, 0, $"tensor '{e.Name}' appears twice in the manifest");
            }
        }
        return new TfjsWeights(manifestPath, binPath, tensors);
    }

    private static float[] Decode(Entry e, ReadOnlySpan<byte> bytes)
    {
        var values = new float[e.Count];
        switch (e.Quantization)
        {
            case "uint8":
                for (var i = 0; i < values.Length; i++) values[i] = Dequantise(e, bytes[i]);
                break;
            case "uint16":
                for (var i = 0; i < values.Length; i++) values[i] = Dequantise(e, BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]));
                break;
            default:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = e.DType == "int32"
                        ? BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..])
                        : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                }
                break;
        }
        return values;
    }

    private static float Dequantise(Entry e, int q)
    {
        // JS numbers: one float64 multiply-add, then the Float32Array store rounds once
        var v = (q * e.Scale) + e.Min;
        return e.DType == "int32" ? (float)Math.Floor(v + 0.5) : (float)v;
    }

    private static Entry ParseEntry(string manifestPath, JsonElement w)
    {
        var name = w.GetProperty("name").GetString() ?? "";
        var dtype = w.GetProperty("dtype").GetString() ?? "";
        if (dtype is not ("float32" or "int32")) throw new DataFormatException(manifestPath, 0, $"tensor '{name}' has dtype {dtype} (only float32 and int32 are supported)");
        var shape = w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new DataFormatException(manifestPath, 0, $"tensor '{name}' has a negative dimension in {Format(shape)}");
            count *= d;
        }
        if (count > int.MaxValue / 4) throw new DataFormatException(manifestPath, 0, $"tensor '{name}' is too large ({Format(shape)})");
        string? quantization = null;
        double scale = 1, min = 0;
        if (w.TryGetProperty("quantization", out var q))
        {
            quantization = q.GetProperty("dtype").GetString();
            if (quantization is not ("uint8" or "uint16")) throw new DataFormatException(manifestPath, 0, $"tensor '{name}' uses {quantization} quantisation (only uint8 and uint16 are supported)");
            scale = q.GetProperty("scale").GetDouble();
            min = q.GetProperty("min").GetDouble();
        }
        var bytesPerElement = quantization switch { "uint8" => 1, "uint16" => 2, _ => 4 };
        return new Entry(name, dtype, shape, (int)count, quantization, scale, min, count * bytesPerElement);
    }

    internal static string Format(IEnumerable<int> shape) => "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private sealed record Entry(string Name, string DType, int[] Shape, int Count, string? Quantization, double Scale, double Min, long ByteLength);
}
