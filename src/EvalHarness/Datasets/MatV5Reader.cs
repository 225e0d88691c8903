using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>The MATLAB array classes the reader understands (values of the array-flags class byte).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name",
    Justification = "The members are the MAT-file format's own class names (mxDOUBLE_CLASS, mxINT8_CLASS ...).")]
internal enum MatClass : byte
{
    Cell = 1,
    Struct = 2,
    Char = 4,
    Double = 6,
    Single = 7,
    Int8 = 8,
    UInt8 = 9,
    Int16 = 10,
    UInt16 = 11,
    Int32 = 12,
    UInt32 = 13,
    Int64 = 14,
    UInt64 = 15,
}

/// <summary>One variable (or cell element) of a MAT file. <see cref="Dimensions"/> are MATLAB's, data is column-major.</summary>
internal abstract class MatArray
{
    private protected MatArray(string name, int[] dimensions, MatClass matClass)
    {
        Name = name;
        Dimensions = dimensions;
        Class = matClass;
    }

    public string Name { get; }
    public int[] Dimensions { get; }
    public MatClass Class { get; }

    /// <summary>Number of elements (product of the dimensions).</summary>
    public int Length
    {
        get
        {
            long n = 1;
            foreach (var d in Dimensions) n *= d;
            return (int)n;
        }
    }

    public int Rows => Dimensions.Length > 0 ? Dimensions[0] : 0;

    public string DescribeShape() => $"{Class.ToString().ToLowerInvariant()} {string.Join('x', Dimensions)}";
}

/// <summary>A numeric array; every integer or single class is widened to float64 (exact for the WIDER files, whose values are small integers).</summary>
internal sealed class MatNumericArray : MatArray
{
    internal MatNumericArray(string name, int[] dimensions, MatClass matClass, double[] real)
        : base(name, dimensions, matClass) => Real = real;

    /// <summary>Real part in column-major order (complex arrays are rejected).</summary>
    public double[] Real { get; }

    /// <summary>Element (row, column) of a 2-D array.</summary>
    public double this[int row, int column] => Real[column * Rows + row];
}

/// <summary>A char array; a row vector (the only shape WIDER uses) reads as one string.</summary>
internal sealed class MatCharArray : MatArray
{
    internal MatCharArray(string name, int[] dimensions, string chars)
        : base(name, dimensions, MatClass.Char) => Chars = chars;

    /// <summary>The characters in column-major order.</summary>
    public string Chars { get; }

    public override string ToString() => Chars;
}

internal sealed class MatCellArray : MatArray
{
    internal MatCellArray(string name, int[] dimensions, MatArray[] cells)
        : base(name, dimensions, MatClass.Cell) => Cells = cells;

    /// <summary>The elements in column-major order.</summary>
    public MatArray[] Cells { get; }

    public MatArray this[int index] => Cells[index];
}

/// <summary>
/// A small reader for MATLAB level-5 MAT files (the format of the official WIDER FACE ground
/// truth): the 128-byte header, then tagged data elements, each variable usually wrapped in a
/// zlib-compressed element. It supports what those files use (cell, char and numeric arrays,
/// the small-element format) and names the byte offset of anything it cannot read.
/// </summary>
internal static class MatV5Reader
{
    private const int HeaderLength = 128;

    // Data types of the tagged elements (MAT-file format, table 1-1).
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6,
        MiSingle = 7, MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15,
        MiUtf8 = 16, MiUtf16 = 17, MiUtf32 = 18;

    /// <summary>
    /// Reads the variables of the file by name; with <paramref name="only"/>, compressed variables
    /// with other names are skipped after inflating just their header (the WIDER setting files
    /// repeat every label list next to the gt_list that is needed).
    /// </summary>
    public static IReadOnlyDictionary<string, MatArray> ReadFile(string path, IReadOnlySet<string>? only = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, $"cannot read MAT file: {ex.Message}", ex);
        }
        return Read(bytes, path, only);
    }

    /// <summary>Reads the variables of an in-memory MAT file; <paramref name="sourceName"/> names it in errors.</summary>
    public static IReadOnlyDictionary<string, MatArray> Read(ReadOnlySpan<byte> file, string sourceName, IReadOnlySet<string>? only = null)
    {
        ValidateHeader(file, sourceName);
        var variables = new Dictionary<string, MatArray>(StringComparer.Ordinal);
        var offset = HeaderLength;
        while (offset < file.Length)
        {
            if (file.Length - offset < 8)
            {
                throw Corrupt(sourceName, offset, $"truncated: {file.Length - offset} stray bytes where a data element tag was expected");
            }
            var type = BinaryPrimitives.ReadInt32LittleEndian(file[offset..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            if ((type >> 16) != 0) throw Corrupt(sourceName, offset, "a top-level element in the small-element format is not a variable");
            if (length > (uint)(file.Length - offset - 8))
            {
                throw Corrupt(sourceName, offset, $"truncated: element of {length} bytes but only {file.Length - offset - 8} remain");
            }
            var body = file.Slice(offset + 8, (int)length);
            MatArray array;
            switch (type)
            {
                case MiCompressed:
                    var inflated = Inflate(body, sourceName, offset, only);
                    if (inflated is null)
                    {
                        offset += 8 + (int)length;
                        continue;
                    }
                    array = ReadCompressedVariable(inflated, sourceName, offset);
                    break;
                case MiMatrix:
                    array = new ElementReader(file, sourceName, 0).ReadMatrix(offset + 8, (int)length);
                    if (only is not null && !only.Contains(array.Name))
                    {
                        offset = Align8(offset + 8 + (int)length);
                        continue;
                    }
                    break;
                default:
                    throw Corrupt(sourceName, offset, $"unexpected top-level data type {type} (expected miMATRIX or miCOMPRESSED)");
            }
            variables[array.Name] = array;
            // Uncompressed elements are padded to 8 bytes; compressed ones are not.
            offset += 8 + (int)length;
            if (type == MiMatrix) offset = Align8(offset);
        }
        return variables;
    }

    private static void ValidateHeader(ReadOnlySpan<byte> file, string sourceName)
    {
        if (file.Length < HeaderLength)
        {
            throw new DataFormatException(sourceName, 0, $"not a MAT file: {file.Length} bytes, shorter than the 128-byte MAT v5 header");
        }
        var text = Encoding.ASCII.GetString(file[..10]);
        if (!text.StartsWith("MATLAB ", StringComparison.Ordinal))
        {
            throw new DataFormatException(sourceName, 0, "not a MAT v5 file: the header does not start with 'MATLAB ' (MAT v4 files are not supported)");
        }
        var endian = Encoding.ASCII.GetString(file.Slice(126, 2));
        if (endian == "MI")
        {
            throw new DataFormatException(sourceName, 0, "big-endian MAT files are not supported");
        }
        if (endian != "IM")
        {
            throw new DataFormatException(sourceName, 0, $"not a MAT v5 file: endian indicator '{Printable(endian)}' is neither 'IM' nor 'MI'");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(file[124..]);
        if (version != 0x0100)
        {
            var hint = version == 0x0200 ? " (MAT v7.3 is HDF5; save with -v7 or -v6)" : "";
            throw new DataFormatException(sourceName, 0, $"unsupported MAT version 0x{version:x4}{hint}; expected 0x0100 (level 5)");
        }
    }

    /// <summary>Inflates one miCOMPRESSED element; null when <paramref name="only"/> excludes the variable named in its header.</summary>
    private static byte[]? Inflate(ReadOnlySpan<byte> compressed, string sourceName, int elementOffset, IReadOnlySet<string>? only)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            // The tag, array flags, dimensions and name of a variable fit in its first few hundred bytes.
            var prefix = new byte[512];
            var prefixLength = zlib.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            if (only is not null && TryReadName(prefix.AsSpan(0, prefixLength)) is { } name && !only.Contains(name)) return null;
            using var output = new MemoryStream(compressed.Length * 4);
            output.Write(prefix, 0, prefixLength);
            zlib.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // Some zlib errors surface as the runtime's internal ZLibException, an IOException.
            throw Corrupt(sourceName, elementOffset, $"corrupt zlib data in miCOMPRESSED element: {ex.Message}", ex);
        }
    }

    /// <summary>The variable name in the header of an inflated miMATRIX element, or null when the prefix does not show it plainly.</summary>
    private static string? TryReadName(ReadOnlySpan<byte> prefix)
    {
        // tag (8), array flags element (16), dimensions tag (8) + data, name tag (8) + data
        if (prefix.Length < 40 || BinaryPrimitives.ReadInt32LittleEndian(prefix) != MiMatrix) return null;
        var dimsBytes = BinaryPrimitives.ReadInt32LittleEndian(prefix[28..]);
        if (dimsBytes is < 8 or > 256) return null;
        var nameTag = 32 + Align8(dimsBytes);
        if (prefix.Length < nameTag + 8) return null;
        var first = BinaryPrimitives.ReadUInt32LittleEndian(prefix[nameTag..]);
        int nameStart, nameLength;
        if ((first >> 16) != 0)
        {
            nameStart = nameTag + 4;
            nameLength = (int)(first >> 16);
        }
        else
        {
            nameStart = nameTag + 8;
            nameLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[(nameTag + 4)..]);
        }
        if (nameLength < 0 || nameLength > 64 || prefix.Length < nameStart + nameLength) return null;
        return Encoding.ASCII.GetString(prefix.Slice(nameStart, nameLength));
    }

    private static MatArray ReadCompressedVariable(byte[] inflated, string sourceName, int elementOffset)
    {
        var span = (ReadOnlySpan<byte>)inflated;
        if (span.Length < 8)
        {
            throw Corrupt(sourceName, elementOffset, "truncated: a compressed element inflates to less than one tag");
        }
        var type = BinaryPrimitives.ReadInt32LittleEndian(span);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        if (type != MiMatrix)
        {
            throw Corrupt(sourceName, elementOffset, $"compressed element holds data type {type}, expected miMATRIX (14)");
        }
        if (length > (uint)(span.Length - 8))
        {
            throw Corrupt(sourceName, elementOffset, $"truncated: compressed miMATRIX claims {length} bytes but inflates to {span.Length - 8}");
        }
        return new ElementReader(span, sourceName, elementOffset).ReadMatrix(8, (int)length);
    }

    private static int Align8(int value) => (value + 7) & ~7;

    private static string Printable(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s) sb.Append(c is >= ' ' and <= '~' ? c : '?');
        return sb.ToString();
    }

    private static DataFormatException Corrupt(string sourceName, int offset, string problem, Exception? inner = null)
    {
        var message = $"corrupt MAT file at byte {offset}: {problem}";
        return inner is null ? new DataFormatException(sourceName, 0, message) : new DataFormatException(sourceName, 0, message, inner);
    }

    /// <summary>Walks tagged elements inside one buffer (the file, or one inflated element) with bounds checks on every read.</summary>
    private readonly ref struct ElementReader
    {
        private readonly ReadOnlySpan<byte> _buffer;
        private readonly string _source;
        // Where the buffer sits in the file, so an error inside an inflated element names its element.
        private readonly int _fileOffset;

        public ElementReader(ReadOnlySpan<byte> buffer, string source, int fileOffset)
        {
            _buffer = buffer;
            _source = source;
            _fileOffset = fileOffset;
        }

        private DataFormatException Fail(int offset, string problem) =>
            Corrupt(_source, _fileOffset, _fileOffset == 0 ? problem + $" (offset {offset})" : problem + $" (offset {offset} of the inflated element)");

        /// <summary>Reads one tag at <paramref name="offset"/>: its type, its data span and the offset after it (padding included).</summary>
        private (int Type, int DataOffset, int DataLength, int Next) ReadTag(int offset, int end)
        {
            if (end - offset < 8) throw Fail(offset, $"truncated: {end - offset} bytes where an 8-byte tag was expected");
            var first = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[offset..]);
            if ((first >> 16) != 0)
            {
                // Small-element format: type and size share the first word, data sits in the second.
                var smallLength = (int)(first >> 16);
                var smallType = (int)(first & 0xFFFF);
                if (smallLength > 4) throw Fail(offset, $"small data element claims {smallLength} bytes (at most 4 fit)");
                return (smallType, offset + 4, smallLength, offset + 8);
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[(offset + 4)..]);
            if (length > (uint)(end - offset - 8))
            {
                throw Fail(offset, $"truncated: data element of {length} bytes but only {end - offset - 8} remain");
            }
            var next = offset + 8 + Align8((int)length);
            return ((int)first, offset + 8, (int)length, Math.Min(next, end));
        }

        public MatArray ReadMatrix(int offset, int length)
        {
            var end = offset + length;
            if (length == 0)
            {
                // An empty miMATRIX is how MATLAB stores an empty cell element ([]).
                return new MatNumericArray("", [0, 0], MatClass.Double, []);
            }

            var flags = ReadTag(offset, end);
            if (flags.Type != MiUInt32 || flags.DataLength != 8) throw Fail(offset, $"array flags: expected miUINT32 of 8 bytes, found type {flags.Type} of {flags.DataLength} bytes");
            var flagWord = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[flags.DataOffset..]);
            var matClass = (MatClass)(flagWord & 0xFF);
            var isComplex = (flagWord & 0x800) != 0;

            var dimsTag = ReadTag(flags.Next, end);
            if (dimsTag.Type != MiInt32 || dimsTag.DataLength % 4 != 0 || dimsTag.DataLength < 8)
            {
                throw Fail(flags.Next, $"dimensions: expected miINT32 with at least 2 entries, found type {dimsTag.Type} of {dimsTag.DataLength} bytes");
            }
            var dims = new int[dimsTag.DataLength / 4];
            long count = 1;
            for (var i = 0; i < dims.Length; i++)
            {
                dims[i] = BinaryPrimitives.ReadInt32LittleEndian(_buffer[(dimsTag.DataOffset + 4 * i)..]);
                if (dims[i] < 0) throw Fail(dimsTag.DataOffset, $"negative dimension {dims[i]}");
                count *= dims[i];
                if (count > int.MaxValue) throw Fail(dimsTag.DataOffset, "array too large");
            }

            var nameTag = ReadTag(dimsTag.Next, end);
            if (nameTag.Type != MiInt8 && nameTag.Type != MiUInt8) throw Fail(dimsTag.Next, $"array name: expected miINT8, found type {nameTag.Type}");
            var name = Encoding.ASCII.GetString(_buffer.Slice(nameTag.DataOffset, nameTag.DataLength));

            var next = nameTag.Next;
            switch (matClass)
            {
                case MatClass.Cell:
                {
                    // Every element needs at least an 8-byte tag: never allocate from dimensions the bytes cannot hold.
                    if (count > (end - next) / 8) throw Fail(dimsTag.DataOffset, $"cell array '{name}' claims {count} elements but only {end - next} bytes remain");
                    var cells = new MatArray[count];
                    for (var i = 0; i < cells.Length; i++)
                    {
                        var cellTag = ReadTag(next, end);
                        if (cellTag.Type != MiMatrix) throw Fail(next, $"cell element {i} of '{name}': expected miMATRIX, found type {cellTag.Type}");
                        cells[i] = ReadMatrix(cellTag.DataOffset, cellTag.DataLength);
                        next = cellTag.Next;
                    }
                    return new MatCellArray(name, dims, cells);
                }
                case MatClass.Char:
                {
                    var data = ReadTag(next, end);
                    var chars = DecodeChars(data.Type, _buffer.Slice(data.DataOffset, data.DataLength), next);
                    if (chars.Length != count) throw Fail(next, $"char array '{name}' has {chars.Length} characters, its dimensions say {count}");
                    return new MatCharArray(name, dims, chars);
                }
                case MatClass.Double or MatClass.Single or MatClass.Int8 or MatClass.UInt8 or MatClass.Int16
                    or MatClass.UInt16 or MatClass.Int32 or MatClass.UInt32 or MatClass.Int64 or MatClass.UInt64:
                {
                    if (isComplex) throw Fail(offset, $"complex array '{name}' is not supported");
                    var data = ReadTag(next, end);
                    var values = DecodeNumbers(data.Type, _buffer.Slice(data.DataOffset, data.DataLength), next);
                    if (values.Length != count) throw Fail(next, $"numeric array '{name}' has {values.Length} values, its dimensions say {count}");
                    return new MatNumericArray(name, dims, matClass, values);
                }
                default:
                    throw Fail(offset, $"array '{name}' has class {(int)matClass} ({matClass}), which this reader does not support (cell, char and numeric only)");
            }
        }

        private string DecodeChars(int type, ReadOnlySpan<byte> data, int offset) => type switch
        {
            MiUInt16 or MiUtf16 when data.Length % 2 == 0 => DecodeUtf16(data),
            MiUInt8 or MiInt8 or MiUtf8 => Encoding.UTF8.GetString(data),
            MiUtf32 when data.Length % 4 == 0 => Encoding.UTF32.GetString(data),
            _ => throw Fail(offset, $"char data: unexpected data type {type} of {data.Length} bytes"),
        };

        private static string DecodeUtf16(ReadOnlySpan<byte> data)
        {
            var chars = new char[data.Length / 2];
            for (var i = 0; i < chars.Length; i++) chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]);
            return new string(chars);
        }

        private double[] DecodeNumbers(int type, ReadOnlySpan<byte> data, int offset)
        {
            var size = type switch
            {
                MiInt8 or MiUInt8 => 1,
                MiInt16 or MiUInt16 => 2,
                MiInt32 or MiUInt32 or MiSingle => 4,
                MiDouble or MiInt64 or MiUInt64 => 8,
                _ => throw Fail(offset, $"numeric data: unexpected data type {type}"),
            };
            if (data.Length % size != 0) throw Fail(offset, $"numeric data of type {type}: {data.Length} bytes is not a multiple of {size}");
            var values = new double[data.Length / size];
            for (var i = 0; i < values.Length; i++)
            {
                var b = data[(i * size)..];
                values[i] = type switch
                {
                    MiInt8 => (sbyte)b[0],
                    MiUInt8 => b[0],
                    MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                    MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                    MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                    MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                    MiSingle => BinaryPrimitives.ReadSingleLittleEndian(b),
                    MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(b),
                    MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                    _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
                };
            }
            return values;
        }
    }
}
