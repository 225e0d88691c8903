using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using EvalHarness.Datasets;
using EvalHarness.Detectors.Cache;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Runs;
using EvalHarness.Sources;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Reliability;

/// <summary>
/// Every parser of user-supplied or on-disk input, fed random bytes and mutations of a valid input:
/// it must return, or throw the harness's own typed error, within a time bound. Readers that
/// report problems as warnings (matlab prediction files, the candidate cache, image outcome files)
/// must not throw at all.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Annotations =
        "0--Parade/0_Parade_a_1.jpg\n2\n1 2 3 4 0 0 0 0 0 0 \n5 6 -7 0 2 1 0 1 2 3\n1--Handshaking/none.jpg\n0\n0 0 0 0 0 0 0 0 0 0 \n";

    private const string PredictionFile = "0_Parade_a_1.jpg\n3\n1 2 3 4 0.9\n5.5 6 7 8 0.25\n-1 0 1e2 4 .5\n";

    private const string Csv = "x1,y1,x2,y2,score\n1,2,3,4,0.5\n-1.5,2,30,40,0.25\n\n7,8,9,10,1e-3\n";

    private const string SuiteJson = """
        { "name": "fuzz", "dataset": { "kind": "synthetic", "seed": 5, "images": 4 },
          "variants": [ "nms(iou=0.4)", "gc+nms(score=0.02,iou=0.4,r=1,k=2)" ], "backends": [ "scalar", "gpu?" ],
          "repeats": 2, "warmup": 0, "bootstrapResamples": 100, "shard": "1/2" }
        """;

    [Fact]
    public void Annotation_parser_throws_only_data_format_errors()
    {
        Gen.Frequency((1, Fuzz.Bytes.Select(b => Encoding.UTF8.GetString(b))), (3, Fuzz.MutatedText(Annotations)))
            .Sample(text => Fuzz.Accepts(text, t => WiderAnnotationParser.Parse(t, "fuzz.txt"), Fuzz.ShowText, typeof(DataFormatException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Mat_reader_throws_only_data_format_errors()
    {
        var seed = MatFiles.Sample();
        Assert.Equal(3, MatV5Reader.Read(seed, "seed.mat").Count);
        Gen.Frequency((1, Fuzz.Bytes.Select(b => MatFiles.Header().Concat(b).ToArray())), (4, Fuzz.Mutations(seed)))
            .Sample(bytes => Fuzz.Accepts(bytes, b => MatV5Reader.Read(b, "fuzz.mat"), Fuzz.ShowBytes, typeof(DataFormatException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Mat_reader_on_mutated_compressed_payloads_throws_only_data_format_errors()
    {
        // Mutating the inflated bytes and compressing again reaches the element walker behind a valid zlib stream.
        var inner = MatFiles.NumericMatrix("xy", [2, 2], [1, 2, 3, 4]);
        Gen.Frequency((1, Fuzz.Bytes), (4, Fuzz.Mutations(inner)))
            .Sample(payload => Fuzz.Accepts(MatFiles.Compressed(payload), b => MatV5Reader.Read(b, "fuzz.mat"), Fuzz.ShowBytes, typeof(DataFormatException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Python_prediction_parser_throws_only_data_format_errors()
    {
        Gen.Frequency((1, Fuzz.Bytes), (3, Fuzz.Mutations(Encoding.UTF8.GetBytes(PredictionFile))))
            .Sample(bytes => Fuzz.Accepts(bytes, b => PredictionFolderReader.ParsePythonFile("0--Parade/x.txt", "0--Parade", b), Fuzz.ShowBytes, typeof(DataFormatException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Matlab_prediction_parser_never_throws_it_warns()
    {
        Gen.Frequency((1, Fuzz.Bytes.Select(b => Encoding.UTF8.GetString(b))), (3, Fuzz.MutatedText(PredictionFile)))
            .Sample(text => Fuzz.Accepts(text, t =>
            {
                var boxes = PredictionFolderReader.ParseMatlabText("0--Parade/x.txt", t, out var warning);
                Assert.True(boxes.Length == 0 || warning is null, "boxes come with no warning");
            }, Fuzz.ShowText), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Flat_candidate_csv_throws_only_data_format_errors()
    {
        var path = Path.Combine(_dir, "candidates.csv");
        // One file is rewritten per case, so the property runs on one thread.
        Gen.Frequency((1, Fuzz.Bytes), (3, Fuzz.Mutations(Encoding.UTF8.GetBytes(Csv))))
            .Sample(bytes => Fuzz.Accepts(bytes, b =>
            {
                File.WriteAllBytes(path, b);
                FlatCandidateCsv.Read(path);
            }, Fuzz.ShowBytes, typeof(DataFormatException)), iter: Fuzz.Iterations / 2, threads: 1);
    }

    [Fact]
    public void Suite_parser_throws_only_harness_errors()
    {
        Assert.Equal("fuzz", SuiteLoader.Parse(SuiteJson, "seed.json").Name);
        Gen.Frequency((1, Fuzz.Bytes.Select(b => Encoding.UTF8.GetString(b))), (4, Fuzz.MutatedText(SuiteJson)))
            .Sample(json => Fuzz.Accepts(json, j => SuiteLoader.Parse(j, "fuzz.json"), Fuzz.ShowText, typeof(DataFormatException), typeof(UsageException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Variant_parser_throws_only_usage_errors()
    {
        string[] seedTexts = ["nms", "soft-nms-gaussian(score=0.02,sigma=0.5)", "gc+nms(score=0.02,iou=0.4,r=1,k=2)", "fast-nms(iou=0.3,pre=100,keep=10)"];
        var seeds = Gen.Int[0, seedTexts.Length - 1].Select(i => seedTexts[i]);
        Gen.Frequency((1, Fuzz.Bytes.Select(b => Encoding.UTF8.GetString(b))), (4, seeds.SelectMany(Fuzz.MutatedText)))
            .Sample(text => Fuzz.Accepts(text, t =>
            {
                var spec = VariantSpec.Parse(t);
                // Whatever parses must print to text that parses back to the same spec.
                Assert.Equal(spec, VariantSpec.Parse(spec.ToString()));
            }, Fuzz.ShowText, typeof(UsageException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Image_decoder_throws_only_data_format_errors()
    {
        using var source = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(24, 16);
        for (var y = 0; y < 16; y++) for (var x = 0; x < 24; x++) source[x, y] = new((byte)(x * 10), (byte)(y * 15), 90);
        using var jpeg = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(source, jpeg);
        using var png = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(source, png);
        var loader = new EvalHarness.Detectors.Input.ImageLoader(new EvalHarness.Detectors.Input.ImageLoadOptions { MaxPixels = 1 << 20 });
        Gen.Frequency((1, Fuzz.Bytes), (3, Fuzz.Mutations(jpeg.ToArray())), (3, Fuzz.Mutations(png.ToArray())))
            .Sample(bytes => Fuzz.Accepts(bytes, b => loader.Decode("fuzz.img", b).Dispose(), Fuzz.ShowBytes, typeof(DataFormatException)), iter: Fuzz.Iterations);
    }

    [Fact]
    public void Candidate_cache_entries_never_throw_and_never_load_damaged_bytes()
    {
        var hash = SHA256.HashData("fuzz"u8);
        var map = new CandidateMap([(3, 4, 2, 8f), (1, 2, 1, 16f)], keypointCount: 2) { Event = "0--Parade", ImageKey = "k", ImageWidth = 32, ImageHeight = 24 };
        for (var i = 0; i < map.Count; i++) map.Set(i, i * 0.01f, i, i + 1, i + 2, i + 3);
        var entry = CandidateCache.Serialize(map, hash);
        Assert.Null(CandidateCache.Parse(entry, hash, "0--Parade", "k", new CandidateMap()));

        // Half the cases keep a valid trailing checksum, so the field checks behind it are reached too.
        Gen.Select(Gen.Frequency((1, Fuzz.Bytes), (4, Fuzz.Mutations(entry))), Gen.Bool).Sample((bytes, rehash) =>
        {
            if (rehash && bytes.Length >= 32) SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
            var damaged = !bytes.AsSpan().SequenceEqual(entry);
            Fuzz.Accepts(bytes, b =>
            {
                var loaded = new CandidateMap();
                if (CandidateCache.Parse(b, hash, "0--Parade", "k", loaded) is not null) return;
                // Bytes changed behind a stale checksum must never load.
                Assert.False(damaged && !rehash, "damaged bytes with a stale checksum were loaded");
                // What loads is exactly what the bytes hold: written back, it gives the same header fields and arrays
                // (bytes 6-7 are reserved and not read).
                var again = CandidateCache.Serialize(loaded, hash);
                Assert.Equal(b.AsSpan(0, 6).ToArray(), again.AsSpan(0, 6).ToArray());
                Assert.Equal(b.AsSpan(8, b.Length - 8 - 32).ToArray(), again.AsSpan(8, again.Length - 8 - 32).ToArray());
                if (!damaged)
                {
                    Assert.Equal(map.ScoreSpan.ToArray(), loaded.ScoreSpan.ToArray());
                    Assert.Equal(map.X1Span.ToArray(), loaded.X1Span.ToArray());
                    Assert.Equal(map.Y2Span.ToArray(), loaded.Y2Span.ToArray());
                }
            }, Fuzz.ShowBytes);
        }, iter: Fuzz.Iterations);
    }

    [Fact]
    public void Image_outcome_files_never_throw()
    {
        var store = new ImageOutcomeStore(_dir, planHash: 77);
        store.Save(new ImageOutcome
        {
            ImageIndex = 0, Event = "0--Parade", ImageKey = "k", CandidateCount = 12, Stages = new StageTimings(1, 2, 3), Error = null,
            Cells = [new CellOutcome { Status = CellStatus.Ok, Detections = [1f, 2f, 3f, 4f, 0.5f], SamplesMs = [0.1] }],
        });
        var path = store.PathOf(0);
        var valid = File.ReadAllBytes(path);

        Gen.Select(Gen.Frequency((1, Fuzz.Bytes), (4, Fuzz.Mutations(valid))), Gen.Bool).Sample((bytes, rehash) =>
        {
            // Header: magic, version, plan hash, timing machine, checksum of the payload (8 bytes at 24).
            if (rehash && bytes.Length >= 32)
            {
                Span<byte> digest = stackalloc byte[32];
                SHA256.HashData(bytes.AsSpan(32), digest);
                digest[..8].CopyTo(bytes.AsSpan(24));
            }
            Fuzz.Accepts(bytes, b =>
            {
                File.WriteAllBytes(path, b);
                var loaded = store.TryLoad(0, null, out var problem);
                Assert.True(loaded is null != (problem is null), "either an outcome or a problem");
            }, Fuzz.ShowBytes);
        }, iter: Fuzz.Iterations / 2, threads: 1);
    }
}

/// <summary>Hand-made MAT v5 files (never real WIDER data).</summary>
internal static class MatFiles
{
    public static byte[] Header(ushort version = 0x0100, string endian = "IM")
    {
        var header = new byte[128];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, reliability tests".PadRight(116)).CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(124), version);
        header[126] = (byte)endian[0];
        header[127] = (byte)endian[1];
        return header;
    }

    public static byte[] Element(int type, byte[] data)
    {
        var element = new byte[8 + ((data.Length + 7) & ~7)];
        BinaryPrimitives.WriteInt32LittleEndian(element, type);
        BinaryPrimitives.WriteInt32LittleEndian(element.AsSpan(4), data.Length);
        data.CopyTo(element, 8);
        return element;
    }

    public static byte[] Flags(byte matClass) => [matClass, 0, 0, 0, 0, 0, 0, 0];

    public static byte[] Int32s(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] NumericMatrix(string name, int[] dims, double[] values) =>
        Element(14, [.. Element(6, Flags(6)), .. Element(5, Int32s(dims)), .. Element(1, Encoding.ASCII.GetBytes(name)), .. Element(9, values.SelectMany(BitConverter.GetBytes).ToArray())]);

    public static byte[] CharMatrix(string name, string chars) =>
        Element(14, [.. Element(6, Flags(4)), .. Element(5, Int32s(1, chars.Length)), .. Element(1, Encoding.ASCII.GetBytes(name)), .. Element(4, chars.SelectMany(c => new[] { (byte)c, (byte)0 }).ToArray())]);

    public static byte[] CellMatrix(string name, params byte[][] cells) =>
        Element(14, [.. Element(6, Flags(1)), .. Element(5, Int32s(cells.Length, 1)), .. Element(1, Encoding.ASCII.GetBytes(name)), .. cells.SelectMany(c => c)]);

    /// <summary>A file of one compressed variable holding <paramref name="payload"/> (an miMATRIX element, or anything).</summary>
    public static byte[] Compressed(byte[] payload)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(payload);
        var z = compressed.ToArray();
        var tag = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tag, 15);
        BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), z.Length);
        return [.. Header(), .. tag, .. z];
    }

    /// <summary>Three variables: an uncompressed cell of char and numeric, a char array and a compressed numeric array.</summary>
    public static byte[] Sample()
    {
        // Uncompressed elements first: they are padded to 8 bytes, a compressed one is not.
        var compressed = Compressed(NumericMatrix("boxes", [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]))[128..];
        var cell = CellMatrix("files", CharMatrix("", "0_Parade_1"), NumericMatrix("", [1, 2], [7, 300]));
        return [.. Header(), .. cell, .. CharMatrix("event", "0--Parade"), .. compressed];
    }
}
