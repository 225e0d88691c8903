using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using EvalHarness.Datasets;
using EvalHarness.IO;

namespace EvalHarness.Tests.Datasets;

public sealed class MatV5ReaderTests
{
    private static string GroundTruthFile(string name) =>
        Path.Combine(TestData.WiderFaceRoot, "eval_tools", "ground_truth", name);

    [Fact]
    public void Reads_the_official_face_file()
    {
        var vars = MatV5Reader.ReadFile(GroundTruthFile("wider_face_val.mat"));

        var events = Assert.IsType<MatCellArray>(vars["event_list"]);
        Assert.Equal([61, 1], events.Dimensions);
        Assert.Equal("0--Parade", Assert.IsType<MatCharArray>(events[0]).Chars);
        var files = Assert.IsType<MatCellArray>(vars["file_list"]);
        var parade = Assert.IsType<MatCellArray>(files[0]);
        Assert.Equal("0_Parade_marchingband_1_465", Assert.IsType<MatCharArray>(parade[0]).Chars);
        var boxes = Assert.IsType<MatCellArray>(Assert.IsType<MatCellArray>(vars["face_bbx_list"])[0]);
        var first = Assert.IsType<MatNumericArray>(boxes[0]);
        Assert.Equal([126, 4], first.Dimensions);
        Assert.Equal((345.0, 211.0, 4.0, 4.0), (first[0, 0], first[0, 1], first[0, 2], first[0, 3])); // first line of the txt
    }

    [Theory]
    [InlineData("wider_easy_val.mat")]
    [InlineData("wider_medium_val.mat")]
    [InlineData("wider_hard_val.mat")]
    public void Reads_the_official_setting_files(string file)
    {
        var gtList = Assert.IsType<MatCellArray>(MatV5Reader.ReadFile(GroundTruthFile(file))["gt_list"]);
        Assert.Equal(61, gtList.Length);
        Assert.All(gtList.Cells, c => Assert.IsType<MatCellArray>(c));
    }

    [Fact]
    public void Reading_only_some_variables_skips_the_others_and_reads_the_same_values()
    {
        var path = GroundTruthFile("wider_hard_val.mat");
        var all = MatV5Reader.ReadFile(path);
        var only = MatV5Reader.ReadFile(path, new HashSet<string> { "gt_list" });

        Assert.Contains("pose_label_list", all.Keys);
        Assert.Equal(["gt_list"], only.Keys);
        var expected = (MatCellArray)all["gt_list"];
        var actual = (MatCellArray)only["gt_list"];
        for (var e = 0; e < expected.Length; e++)
        {
            var expectedEvent = (MatCellArray)expected[e];
            var actualEvent = (MatCellArray)actual[e];
            for (var i = 0; i < expectedEvent.Length; i++)
            {
                Assert.Equal(((MatNumericArray)expectedEvent[i]).Real, ((MatNumericArray)actualEvent[i]).Real);
            }
        }
    }

    [Fact]
    public void Rejects_a_file_that_is_not_a_MAT_file()
    {
        var error = Assert.Throws<DataFormatException>(() => MatV5Reader.Read(new byte[200], "zeros.mat"));
        Assert.Contains("not a MAT v5 file", error.Message);
        Assert.Equal("zeros.mat", error.FilePath);
        Assert.Contains("shorter than the 128-byte", Assert.Throws<DataFormatException>(() => MatV5Reader.Read(new byte[10], "tiny.mat")).Message);
    }

    [Fact]
    public void Rejects_other_versions_and_big_endian_files()
    {
        var bytes = File.ReadAllBytes(GroundTruthFile("wider_easy_val.mat"));
        var v73 = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(v73.AsSpan(124), 0x0200);
        Assert.Contains("7.3", Assert.Throws<DataFormatException>(() => MatV5Reader.Read(v73, "v73.mat")).Message);

        var bigEndian = (byte[])bytes.Clone();
        bigEndian[126] = (byte)'M';
        bigEndian[127] = (byte)'I';
        Assert.Contains("big-endian", Assert.Throws<DataFormatException>(() => MatV5Reader.Read(bigEndian, "be.mat")).Message);
    }

    [Theory]
    [InlineData(129)]
    [InlineData(140)]
    [InlineData(1000)]
    [InlineData(200_000)]
    public void Rejects_a_truncated_file(int length)
    {
        var bytes = File.ReadAllBytes(GroundTruthFile("wider_face_val.mat"));
        var error = Assert.Throws<DataFormatException>(() => MatV5Reader.Read(bytes.AsSpan(0, length), "cut.mat"));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Rejects_flipped_bytes_inside_the_compressed_data()
    {
        var bytes = File.ReadAllBytes(GroundTruthFile("wider_face_val.mat"));
        // The first element is miCOMPRESSED: flip the zlib header, the middle of the deflate
        // data and each byte of the Adler-32 trailer.
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(132));
        foreach (var at in new[] { 136, 137, 136 + length / 2, 136 + length - 4, 136 + length - 3, 136 + length - 2, 136 + length - 1 })
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[at] ^= 0x5A;
            var error = Assert.Throws<DataFormatException>(() => MatV5Reader.Read(corrupt, "flipped.mat"));
            Assert.Contains("corrupt", error.Message);
        }
    }

    [Fact]
    public void Any_flipped_byte_either_reads_the_same_or_fails_as_a_data_format_error()
    {
        // Some bits are padding that inflate never looks at; everything else must surface as a
        // DataFormatException, never as an index or overflow error.
        var bytes = File.ReadAllBytes(GroundTruthFile("wider_easy_val.mat"));
        var random = new Random(1234);
        for (var i = 0; i < 60; i++)
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[random.Next(128, corrupt.Length)] ^= (byte)random.Next(1, 256);
            try
            {
                var gtList = Assert.IsType<MatCellArray>(MatV5Reader.Read(corrupt, "flipped.mat")["gt_list"]);
                Assert.Equal(61, gtList.Length);
            }
            catch (DataFormatException)
            {
            }
        }
    }

    [Fact]
    public void Reads_uncompressed_elements_and_the_small_element_format()
    {
        // A 1x2 cell {'ab', [7 300]} stored uncompressed, with the name and the first numeric
        // array in the small-element format and the second as uint16.
        var matrix = new List<byte>();
        matrix.AddRange(Element(6, Flags(1)));              // miUINT32 array flags: cell
        matrix.AddRange(Element(5, Int32s(1, 2)));          // dimensions
        matrix.AddRange(SmallElement(1, "c"u8.ToArray()));  // name 'c'
        matrix.AddRange(Element(14, [.. Element(6, Flags(4)), .. Element(5, Int32s(1, 2)), .. SmallElement(1, []), .. Element(4, [(byte)'a', 0, (byte)'b', 0])]));
        matrix.AddRange(Element(14, [.. Element(6, Flags(6)), .. Element(5, Int32s(1, 2)), .. SmallElement(1, []), .. SmallElement(4, [7, 0, 44, 1])]));
        var file = Header().Concat(Element(14, [.. matrix])).ToArray();

        var cell = Assert.IsType<MatCellArray>(MatV5Reader.Read(file, "synthetic.mat")["c"]);
        Assert.Equal("ab", Assert.IsType<MatCharArray>(cell[0]).Chars);
        Assert.Equal([7.0, 300.0], Assert.IsType<MatNumericArray>(cell[1]).Real);
    }

    [Fact]
    public void Reads_a_compressed_element_it_did_not_come_from_matlab()
    {
        var inner = Element(14, [.. Element(6, Flags(6)), .. Element(5, Int32s(2, 1)), .. Element(1, "xy"u8.ToArray()), .. Element(9, Doubles(1.5, -2))]);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(inner);
        var file = Header().Concat(Tag(15, (int)compressed.Length)).Concat(compressed.ToArray()).ToArray();

        var array = Assert.IsType<MatNumericArray>(MatV5Reader.Read(file, "z.mat")["xy"]);
        Assert.Equal([1.5, -2.0], array.Real);
        Assert.Equal(2, array.Rows);
    }

    [Fact]
    public void Rejects_unsupported_classes_with_their_name()
    {
        var structArray = Element(14, [.. Element(6, Flags(2)), .. Element(5, Int32s(1, 1)), .. Element(1, "s"u8.ToArray())]);
        var error = Assert.Throws<DataFormatException>(() => MatV5Reader.Read(Header().Concat(structArray).ToArray(), "s.mat"));
        Assert.Contains("Struct", error.Message);
    }

    private static byte[] Header()
    {
        var header = new byte[128];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, synthetic".PadRight(116)).CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(124), 0x0100);
        header[126] = (byte)'I';
        header[127] = (byte)'M';
        return header;
    }

    private static byte[] Tag(int type, int length)
    {
        var tag = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tag, type);
        BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), length);
        return tag;
    }

    private static byte[] Element(int type, byte[] data)
    {
        var padded = (data.Length + 7) & ~7;
        var element = new byte[8 + padded];
        Tag(type, data.Length).CopyTo(element, 0);
        data.CopyTo(element, 8);
        return element;
    }

    private static byte[] SmallElement(int type, byte[] data)
    {
        var element = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)(data.Length << 16 | type));
        data.CopyTo(element, 4);
        return element;
    }

    private static byte[] Flags(byte matClass) => [matClass, 0, 0, 0, 0, 0, 0, 0];

    private static byte[] Int32s(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Doubles(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
