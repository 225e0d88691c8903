using System.Text;

namespace EvalHarness.Tests.Detectors;

/// <summary>
/// Writes minimal ONNX files by hand (protobuf wire format) so tests can make models with chosen
/// tensor names, shapes and constant outputs (for example NaN scores) without an ONNX toolchain.
/// Each output is a Constant node; the declared input is unused, which ONNX Runtime accepts.
/// </summary>
internal static class OnnxModelBuilder
{
    public sealed record Tensor(string Name, long[] Shape, float Fill);

    public static byte[] ConstantModel((string Name, long[] Shape) input, params Tensor[] outputs)
    {
        var graph = new Proto();
        foreach (var o in outputs)
        {
            var count = o.Shape.Aggregate(1L, (a, b) => a * b);
            var raw = new byte[count * 4];
            for (var i = 0; i < count; i++) BitConverter.TryWriteBytes(raw.AsSpan(i * 4), o.Fill);
            var tensor = new Proto();
            foreach (var d in o.Shape) tensor.Varint(1, (ulong)d);
            tensor.Varint(2, 1); // FLOAT
            tensor.Bytes(9, raw);
            var attribute = new Proto().String(1, "value").Message(5, tensor).Varint(20, 4); // TENSOR
            var node = new Proto().String(2, o.Name).String(3, "const_" + o.Name).String(4, "Constant").Message(5, attribute);
            graph.Message(1, node);
        }
        graph.String(2, "g");
        graph.Message(11, ValueInfo(input.Name, input.Shape));
        foreach (var o in outputs) graph.Message(12, ValueInfo(o.Name, o.Shape));
        var model = new Proto().Varint(1, 8).Message(7, graph).Message(8, new Proto().Varint(2, 13));
        return model.ToArray();
    }

    private static Proto ValueInfo(string name, long[] shape)
    {
        var dims = new Proto();
        foreach (var d in shape) dims.Message(1, new Proto().Varint(1, (ulong)d));
        var tensorType = new Proto().Varint(1, 1).Message(2, dims);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType));
    }

    private sealed class Proto
    {
        // A plain byte list: nothing to dispose, and the messages are tiny.
        private readonly List<byte> _bytes = [];

        public Proto Varint(int field, ulong value)
        {
            Key(field, 0);
            Raw(value);
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto value) => Bytes(field, value.ToArray());

        public byte[] ToArray() => [.. _bytes];

        private void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.Add((byte)value);
        }
    }
}
