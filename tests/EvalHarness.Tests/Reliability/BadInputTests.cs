using System.Text;
using EvalHarness.Datasets;
using EvalHarness.Detectors.Input;
using EvalHarness.IO;
using EvalHarness.Metrics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Tests.Reliability;

/// <summary>
/// The bad inputs the older parser tests do not cover, each built at test time (never real WIDER
/// data): each must be refused with one clear message naming the file (and line), or be recorded
/// as a warning where the protocol says so.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>What refusing a bad count may allocate (exception, message, a few small buffers): far below any count-sized array.</summary>
    private const long AllocationBudget = 1 << 20;

    // ---- annotation text ----

    [Theory]
    [InlineData("2147483647")]
    [InlineData("100000000")]
    public void An_annotation_count_far_beyond_the_file_is_refused_without_allocating_it(string count)
    {
        var text = $"0--Parade/a.jpg\n{count}\n1 2 3 4 0 0 0 0 0 0\n";
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => WiderAnnotationParser.Parse(text, "huge.txt"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(("huge.txt", 4), (error.FilePath, error.Line));
        Assert.Contains($"declares {count} face(s) but only 1 line(s) follow", error.Message);
        // A list sized from the count would be hundreds of megabytes; the exception and its message are a few kilobytes.
        Assert.InRange(allocated, 0, AllocationBudget);
    }

    [Fact]
    public void An_annotation_count_smaller_than_its_face_lines_names_the_first_extra_line()
    {
        var error = Assert.Throws<DataFormatException>(() => WiderAnnotationParser.Parse("0--Parade/a.jpg\n1\n1 2 3 4 0 0 0 0 0 0\n5 6 7 8 0 0 0 0 0 0\n1--E/b.jpg\n0\n0 0 0 0 0 0 0 0 0 0\n", "short.txt"));
        Assert.Equal(4, error.Line);
        Assert.Contains("'5 6 7 8 0 0 0 0 0 0' is not an image path", error.Message);
    }

    [Theory]
    [InlineData("99999999999")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    public void An_annotation_value_outside_int_or_not_decimal_is_refused(string value)
    {
        var error = Assert.Throws<DataFormatException>(() => WiderAnnotationParser.Parse($"0--Parade/a.jpg\n1\n1 2 {value} 4 0 0 0 0 0 0\n", "big.txt"));
        Assert.Equal(3, error.Line);
        Assert.Contains($"'{value}' is not an integer", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    public void An_empty_annotation_file_is_refused(string text)
    {
        var path = WriteFile("empty.txt", Encoding.UTF8.GetBytes(text));
        var error = Assert.Throws<DataFormatException>(() => WiderAnnotationParser.ParseFile(path));
        Assert.Equal((path, 0), (error.FilePath, error.Line));
        Assert.Contains("no image records", error.Message);
    }

    [Fact]
    public void An_annotation_file_with_a_bom_and_crlf_on_disk_reads_like_the_plain_one()
    {
        const string text = "0--Parade/a.jpg\n1\n1 2 3 4 0 0 0 0 0 0\n1--E/b.jpg\n0\n0 0 0 0 0 0 0 0 0 0\n";
        var plain = WiderAnnotationParser.ParseFile(WriteFile("plain.txt", Encoding.UTF8.GetBytes(text)));
        var windows = WiderAnnotationParser.ParseFile(WriteFile("windows.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n"))]));
        Assert.Equal(plain.Select(i => (i.RelativePath, i.Faces.Length, i.PlaceholderLines)), windows.Select(i => (i.RelativePath, i.Faces.Length, i.PlaceholderLines)));
        Assert.Equal(plain[0].Faces, windows[0].Faces);
    }

    [Fact]
    public void An_annotation_file_that_is_not_utf8_is_refused_naming_it()
    {
        var path = WriteFile("latin1.txt", [.. "0--Parade/caf"u8, 0xE9, .. ".jpg\n0\n"u8]);
        var error = Assert.Throws<DataFormatException>(() => WiderAnnotationParser.ParseFile(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("not UTF-8", error.Message);
    }

    // ---- MAT files ----

    [Fact]
    public void A_mat_cell_claiming_more_elements_than_its_bytes_hold_is_refused_quickly()
    {
        var cell = MatFiles.Element(14, [.. MatFiles.Element(6, MatFiles.Flags(1)), .. MatFiles.Element(5, MatFiles.Int32s(1 << 15, 1 << 15)), .. MatFiles.Element(1, "c"u8.ToArray())]);
        byte[] file = [.. MatFiles.Header(), .. cell];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => MatV5Reader.Read(file, "cells.mat"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("cell array 'c' claims 1073741824 elements", error.Message);
        Assert.InRange(allocated, 0, AllocationBudget);
    }

    [Fact]
    public void A_mat_file_with_an_unknown_version_names_the_version()
    {
        var error = Assert.Throws<DataFormatException>(() => MatV5Reader.Read([.. MatFiles.Header(version: 0x0300), .. MatFiles.CharMatrix("x", "ab")], "v3.mat"));
        Assert.Contains("unsupported MAT version 0x0300", error.Message);
    }

    [Theory]
    [InlineData(TinyGroundTruth.Damage.EventListNumeric, "wider_face_val.mat", "event_list: expected a cell array, found double 1x1")]
    [InlineData(TinyGroundTruth.Damage.BoxesThreeColumns, "wider_face_val.mat", "face_bbx_list{1}{1} (img_a): expected a k x 4 box array, found double 1x3")]
    [InlineData(TinyGroundTruth.Damage.IndexOutOfRange, "wider_hard_val.mat", "gt_list{1}{1} (img_a): index 2 is not a box index in 1..1")]
    [InlineData(TinyGroundTruth.Damage.FaceFileNotMat, "wider_face_val.mat", "not a MAT v5 file")]
    public void Ground_truth_mat_files_with_unexpected_types_or_shapes_name_the_file_and_variable(TinyGroundTruth.Damage damage, string file, string expected)
    {
        var dir = TinyGroundTruth.Write(Path.Combine(_dir, "gt"), damage);
        var error = Assert.Throws<DataFormatException>(() => WiderGroundTruthLoader.Load(dir));
        Assert.Equal(Path.Combine(dir, file), error.FilePath);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_tiny_ground_truth_itself_loads()
    {
        var gt = WiderGroundTruthLoader.Load(TinyGroundTruth.Write(Path.Combine(_dir, "gt")));
        Assert.Equal(TinyGroundTruth.Keys, gt.Images.Select(i => i.ImageKey));
        Assert.Equal(new GtBox(10, 10, 40, 40), gt.Images[0].Boxes[0]);
    }

    // ---- prediction folders ----

    [Fact]
    public void A_matlab_count_far_beyond_the_file_is_a_warning_not_an_allocation()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var boxes = PredictionFolderReader.ParseMatlabText("p/x.txt", "x.jpg\n2147483647\n1 2 3 4 0.5\n", out var warning);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Empty(boxes);
        Assert.InRange(allocated, 0, AllocationBudget);
        Assert.Contains("p/x.txt: count says 2147483647 boxes", warning);
    }

    [Fact]
    public void Nan_and_infinite_prediction_values_are_read_as_the_python_port_reads_them_and_evaluate()
    {
        var gt = WiderGroundTruthLoader.Load(TinyGroundTruth.Write(Path.Combine(_dir, "gt")));
        var pred = Path.Combine(_dir, "pred");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 40 40 nan", "10 10 inf 40 0.9", "10 10 40 40 0.8");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_b", "100 100 30 30 -inf", "100 100 30 30 0.7");

        var warnings = new List<string>();
        var set = PredictionFolderReader.ReadPython(pred, lenient: false, warnings);
        var a = set.Images.Single(i => i.ImageKey == "img_a").Boxes;
        Assert.True(double.IsNaN(a[0].Score));
        Assert.Equal(double.PositiveInfinity, a[1].W);
        Assert.Empty(warnings);

        // A NaN score makes the port's min/max normalisation order-dependent: a clear error naming the image.
        var error = Assert.ThrowsAny<EvalHarnessException>(() => WiderFaceEvaluator.EvaluateFolder(gt, pred, new EvalOptions { Protocol = EvalProtocol.Python }));
        Assert.Contains("0--Parade/img_a: a NaN score", error.Message);
        // eval_tools sorts NaN first and evaluates.
        Assert.All(WiderFaceEvaluator.EvaluateFolder(gt, pred, new EvalOptions { Protocol = EvalProtocol.Matlab }).Settings, s => Assert.Equal(2, s.Faces));

        // Infinite coordinates and scores without a NaN score evaluate under both protocols.
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 inf 40 0.9", "10 10 40 40 0.8", "-inf 0 1 1 0.1");
        foreach (var protocol in new[] { EvalProtocol.Python, EvalProtocol.Matlab })
        {
            var result = WiderFaceEvaluator.EvaluateFolder(gt, pred, new EvalOptions { Protocol = protocol });
            Assert.All(result.Settings, s => Assert.InRange(s.Ap, 0.0, 1.0));
        }
    }

    [Fact]
    public void A_prediction_file_that_is_not_utf8_stops_the_python_protocol_and_is_a_warning_when_lenient()
    {
        var pred = Path.Combine(_dir, "pred");
        var path = WriteFile(Path.Combine("pred", TinyGroundTruth.Event, "img_a.txt"), [.. "img_a.jpg\n1\n1 2 3 4 0."u8, 0xFF, .. "\n"u8]);
        var error = Assert.Throws<DataFormatException>(() => PredictionFolderReader.ReadPython(pred, lenient: false, new List<string>()));
        Assert.Equal((path, 0), (error.FilePath, error.Line));
        Assert.Contains("not UTF-8 text", error.Message);

        var warnings = new List<string>();
        var set = PredictionFolderReader.ReadPython(pred, lenient: true, warnings);
        Assert.Empty(Assert.Single(set.Images).Boxes);
        Assert.Contains(path, Assert.Single(warnings));
    }

    [Fact]
    public void Prediction_files_for_images_not_in_the_ground_truth_do_not_change_the_result()
    {
        var gt = WiderGroundTruthLoader.Load(TinyGroundTruth.Write(Path.Combine(_dir, "gt")));
        var pred = Path.Combine(_dir, "pred");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 40 40 0.9", "200 200 5 5 0.4");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_b", "100 100 30 30 0.7");
        var clean = WiderFaceEvaluator.EvaluateFolder(gt, pred, new EvalOptions());

        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "not_in_gt", "10 10 40 40 0.95");
        TinyGroundTruth.WritePrediction(pred, "9--Other", "elsewhere", "10 10 40 40 0.99");
        foreach (var protocol in new[] { EvalProtocol.Python, EvalProtocol.Matlab })
        {
            var extra = WiderFaceEvaluator.EvaluateFolder(gt, pred, new EvalOptions { Protocol = protocol });
            Assert.Equal(clean.Settings.Select(s => s.Ap), extra.Settings.Select(s => s.Ap));
        }
    }

    // ---- images ----

    [Fact]
    public void A_cmyk_jpeg_becomes_rgb()
    {
        using var source = new Image<Rgb24>(16, 8, new Rgb24(200, 40, 40));
        using var ms = new MemoryStream();
        source.SaveAsJpeg(ms, new JpegEncoder { ColorType = JpegColorType.Cmyk, Quality = 100 });
        using var image = new ImageLoader().Load(WriteFile("cmyk.jpg", ms.ToArray()));
        Assert.Equal((16, 8), (image.Width, image.Height));
        var pixel = image[8, 4];
        Assert.True(pixel.R > 150 && pixel.G < 90 && pixel.B < 90, $"red stays red after CMYK conversion, got {pixel}");
    }

    [Fact]
    public void A_zero_byte_jpeg_is_refused_naming_it()
    {
        var path = WriteFile("zero.jpg", []);
        var error = Assert.Throws<DataFormatException>(() => new ImageLoader().Load(path));
        Assert.Equal($"{path}: image file is empty", error.Message);
    }
}
