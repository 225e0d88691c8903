using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EvalHarness.Detectors.FaceApi;

/// <summary>
/// Writes an ONNX model (protobuf wire format, the subset of onnx.proto an inference graph of
/// float tensors needs) by hand. Chosen over Google.Protobuf + the compiled ONNX schema and over
/// OnnxSharp because the importer only ever writes ~10 message types, and writing them directly
/// makes the bytes a pure function of the calls: fields in one fixed order, no maps, no
/// timestamps, no library version in the output, nothing to regenerate with protoc. The result
/// is deterministic by construction (the importer's checksum test pins it).
/// </summary>
internal sealed class OnnxGraphWriter
{
    public const long IrVersion = 8;
    public const long Opset = 13;

    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _nodeCount;

    public string GraphName { get; }

    public OnnxGraphWriter(string graphName) => GraphName = graphName;

    public void Input(string name, params long[] shape) => _inputs.Add(ValueInfo(name, shape));

    public void Output(string name, params long[] shape) => _outputs.Add(ValueInfo(name, shape));

    /// <summary>A float32 initializer (weights, biases, constants); its name must be new.</summary>
    public string Initializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        Claim(name);
        var raw = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        var t = new Proto();
        foreach (var d in dims) t.Varint(1, (ulong)d);
        t.Varint(2, 1); // FLOAT
        t.String(8, name);
        t.Bytes(9, raw);
        _initializers.Add(t.ToArray());
        return name;
    }

    public string Int64Initializer(string name, params long[] values)
    {
        Claim(name);
        var raw = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        var t = new Proto().Varint(1, (ulong)values.Length).Varint(2, 7).String(8, name).Bytes(9, raw); // INT64, 1-D
        _initializers.Add(t.ToArray());
        return name;
    }

    public string Scalar(string name, float value)
    {
        Claim(name);
        var raw = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(raw, value);
        _initializers.Add(new Proto().Varint(2, 1).String(8, name).Bytes(9, raw).ToArray()); // no dims: a scalar
        return name;
    }

    /// <summary>Adds a node with one output named <paramref name="output"/> and returns that name.</summary>
    public string Node(string opType, string[] inputs, string output, params Attribute[] attributes)
    {
        Claim(output);
        var n = new Proto();
        foreach (var i in inputs) n.String(1, i);
        n.String(2, output);
        n.String(3, $"{opType}_{_nodeCount++}");
        n.String(4, opType);
        foreach (var a in attributes) n.Message(5, a.Encode());
        _nodes.Add(n.ToArray());
        return output;
    }

    public byte[] ToBytes(string producer, string docString)
    {
        var graph = new Proto();
        foreach (var n in _nodes) graph.Bytes(1, n);
        graph.String(2, GraphName);
        foreach (var i in _initializers) graph.Bytes(5, i);
        foreach (var i in _inputs) graph.Bytes(11, i);
        foreach (var o in _outputs) graph.Bytes(12, o);
        var model = new Proto()
            .Varint(1, (ulong)IrVersion)
            .String(2, producer)
            .String(6, docString)
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Varint(2, (ulong)Opset));
        return model.ToArray();
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"ONNX graph {GraphName}: the name '{name}' is used twice");
    }

    private static byte[] ValueInfo(string name, long[] shape)
    {
        var dims = new Proto();
        foreach (var d in shape) dims.Message(1, new Proto().Varint(1, (ulong)d));
        var tensorType = new Proto().Varint(1, 1).Message(2, dims);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType)).ToArray();
    }

    /// <summary>A node attribute: an int, a float or a list of ints.</summary>
    public readonly record struct Attribute(string Name, long? Int, float? Float, long[]? Ints)
    {
        public static Attribute Of(string name, long value) => new(name, value, null, null);
        public static Attribute Of(string name, float value) => new(name, null, value, null);
        public static Attribute Of(string name, params long[] values) => new(name, null, null, values);

        internal Proto Encode()
        {
            var p = new Proto().String(1, Name);
            if (Float is { } f) return p.Fixed32(2, f).Varint(20, 1);
            if (Int is { } i) return p.Varint(3, (ulong)i).Varint(20, 2);
            foreach (var v in Ints!) p.Varint(8, (ulong)v);
            return p.Varint(20, 7);
        }
    }

    internal sealed class Proto
    {
        private readonly ArrayBufferWriter<byte> _bytes = new();

        public Proto Varint(int field, ulong value)
        {
            Key(field, 0);
            Raw(value);
            return this;
        }

        public Proto Fixed32(int field, float value)
        {
            Key(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _bytes.Write(b);
            return this;
        }

        public Proto Bytes(int field, ReadOnlySpan<byte> value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto value) => Bytes(field, value.ToArray());

        public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

        private void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            WriteByte((byte)value);
        }

        private void WriteByte(byte value)
        {
            _bytes.GetSpan(1)[0] = value;
            _bytes.Advance(1);
        }
    }
}
