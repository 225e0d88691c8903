using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;
using static EvalHarness.Tests.Metrics.EvalFixtures;

namespace EvalHarness.Tests.Datasets;

public sealed class PredictionFolderReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly GroundTruth Gt = Truth(
        Image("0--E", "img_1", (new GtBox(10, 10, 20, 20), SettingMask.All)),
        Image("0--E", "img_2", (new GtBox(50, 50, 20, 20), SettingMask.All)));

    private void WriteValidFolder()
    {
        _dir.Write("0--E/img_1.txt", "img_1\n2\n10 10 20 20 0.9\n100 100 5 5 0.1\n");
        _dir.Write("0--E/img_2.txt", "0--E/img_2.jpg\n1\n50 50 20 20 0.8\n");
    }

    private DataFormatException PythonError() =>
        Assert.Throws<DataFormatException>(() => WiderFaceEvaluator.EvaluateFolder(Gt, _dir.Path, EvalOptions.Default));

    [Fact]
    public void A_valid_folder_reads_in_file_order_with_keys_from_line_one()
    {
        WriteValidFolder();
        var set = PredictionFolderReader.ReadPython(_dir.Path, lenient: false, new List<string>());

        Assert.True(set.TryGet("img_1", out var one));
        Assert.Equal([new PredBox(10, 10, 20, 20, 0.9), new PredBox(100, 100, 5, 5, 0.1)], one.Boxes);
        Assert.True(set.TryGet("img_2", out var two)); // "0--E/img_2.jpg" on line 1
        Assert.Equal("0--E", two.Event);
        Assert.Equal(1.0, WiderFaceEvaluator.EvaluateFolder(Gt, _dir.Path, EvalOptions.Default)[Setting.Easy].Recall[^1]);
    }

    [Fact]
    public void The_count_line_is_ignored_and_blank_or_space_led_lines_are_skipped()
    {
        _dir.Write("0--E/img_1.txt", "img_1\nnot a count\n\n 5 5 5 5 0.7\n10 10 20 20 0.9 extra fields ignored\r\n\r\n");
        var set = PredictionFolderReader.ReadPython(_dir.Path, lenient: false, new List<string>());

        Assert.True(set.TryGet("img_1", out var one));
        Assert.Equal([new PredBox(10, 10, 20, 20, 0.9)], one.Boxes);
    }

    [Theory]
    [InlineData("img_1.jpg", "img_1")]
    [InlineData("a/b/img_1.jpg", "img_1")]
    [InlineData("img_1", "img_1")]
    [InlineData("photo_jpg", "photo_")] // rstrip('.jpg') strips characters, not a suffix
    public void The_key_follows_the_ports_rstrip(string line, string key) =>
        Assert.Equal(key, PredictionFolderReader.PythonKey(line));

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("  -2.25\t", -2.25)]
    [InlineData("1_000.5", 1000.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("+7", 7.0)]
    [InlineData("0.1234567890123456789", 0.1234567890123456789)]
    [InlineData("Infinity", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    public void Numbers_parse_like_Pythons_float(string token, double expected)
    {
        Assert.True(PythonFloat.TryParse(token, out var value));
        Assert.Equal(expected, value);
        Assert.True(PythonFloat.TryParse(System.Text.Encoding.ASCII.GetBytes(token), out var fromBytes));
        Assert.Equal(expected, fromBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,5")]
    [InlineData("1__0")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("0x10")]
    [InlineData("1e")]
    [InlineData("--1")]
    [InlineData("1 2")]
    public void Non_numbers_are_rejected_like_Pythons_float(string token)
    {
        Assert.False(PythonFloat.TryParse(token, out _));
        Assert.False(PythonFloat.TryParse(System.Text.Encoding.ASCII.GetBytes(token), out _));
    }

    [Fact]
    public void A_missing_event_folder_is_an_error_naming_it()
    {
        _dir.Write("1--Other/x.txt", "x\n1\n1 1 1 1 0.5\n");
        var error = PythonError();
        Assert.Contains("0--E", error.Message);
        Assert.Contains("event folder", error.Message);
    }

    [Fact]
    public void A_missing_image_file_is_an_error_naming_the_expected_file()
    {
        _dir.Write("0--E/img_1.txt", "img_1\n1\n10 10 20 20 0.9\n");
        var error = PythonError();
        Assert.Equal(Path.Combine(_dir.Path, "0--E", "img_2.txt"), error.FilePath);
    }

    [Fact]
    public void A_subfolder_is_an_error()
    {
        WriteValidFolder();
        Directory.CreateDirectory(Path.Combine(_dir.Path, "0--E", "nested"));
        var error = PythonError();
        Assert.EndsWith("nested", error.FilePath);
    }

    [Fact]
    public void A_file_at_the_top_level_is_an_error()
    {
        WriteValidFolder();
        _dir.Write("README.txt", "notes");
        Assert.EndsWith("README.txt", PythonError().FilePath);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        WriteValidFolder();
        _dir.Write("0--E/img_2.txt", "");
        var error = PythonError();
        Assert.EndsWith("img_2.txt", error.FilePath);
        Assert.Contains("empty", error.Message);
    }

    [Theory]
    [InlineData("50 50 20 20\t0.8", "tabs")]
    [InlineData("50  50 20 20 0.8", "double space")]
    [InlineData("50,50,20,20,0.8", "commas")]
    [InlineData("50 50 20 20", "5 (x y w h score)")]
    [InlineData("50 50 twenty 20 0.8", "not a number")]
    public void A_line_the_port_crashes_on_is_an_error_naming_file_and_line(string line, string hint)
    {
        WriteValidFolder();
        _dir.Write("0--E/img_2.txt", $"img_2\n2\n50 50 20 20 0.9\n{line}\n");
        var error = PythonError();
        Assert.EndsWith("img_2.txt", error.FilePath);
        Assert.Equal(4, error.Line);
        Assert.Contains(hint, error.Message);
    }

    [Fact]
    public void Two_files_naming_the_same_image_are_an_error()
    {
        WriteValidFolder();
        _dir.Write("0--E/copy.txt", "img_1\n1\n10 10 20 20 0.9\n");
        Assert.Contains("img_1", PythonError().Message);
    }

    [Fact]
    public void Lenient_reads_crashing_files_with_the_matlab_rules_and_warns()
    {
        WriteValidFolder();
        // Tabs and commas... the matlab rules split on whitespace, so the tab line is fine there.
        _dir.Write("0--E/img_2.txt", "img_2\n2\n1 1 2 2 0.2\n50\t50 20 20 0.8\n");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "0--E", "nested"));
        _dir.Write("notes.md", "x");

        var result = WiderFaceEvaluator.EvaluateFolder(Gt, _dir.Path, EvalOptions.Default with { Lenient = true });

        Assert.Equal(3, result.Warnings.Count);
        Assert.Equal(1.0, result[Setting.Easy].Recall[^1]);
    }

    [Fact]
    public void Lenient_treats_an_empty_or_missing_file_as_no_detections()
    {
        _dir.Write("0--E/img_1.txt", "img_1\n2\n10 10 20 20 0.9\n100 100 5 5 0.1\n");
        _dir.Write("0--E/img_2.txt", "");
        var result = WiderFaceEvaluator.EvaluateFolder(Gt, _dir.Path, EvalOptions.Default with { Lenient = true });
        Assert.Equal(0.5, result[Setting.Easy].Recall[^1]);
        Assert.Contains("empty", Assert.Single(result.Warnings)); // keyed by its file name, as matlab would

        File.Delete(Path.Combine(_dir.Path, "0--E", "img_2.txt"));
        result = WiderFaceEvaluator.EvaluateFolder(Gt, _dir.Path, EvalOptions.Default with { Lenient = true });
        Assert.Equal(0.5, result[Setting.Easy].Recall[^1]);
        Assert.Contains("img_2", Assert.Single(result.Warnings));
    }

    [Fact]
    public void Matlab_reads_exactly_count_lines_split_on_any_whitespace_and_sorts()
    {
        var boxes = PredictionFolderReader.ParseMatlabText("f", "k\n3\n1\t1 1 1 0.1\n2 2  2 2 0.9\n3 3 3 3 0.5 extra\n9 9 9 9 1.0\n", out var warning);
        Assert.Null(warning);
        Assert.Equal([0.9, 0.5, 0.1], boxes.Select(b => b.Score));

        Assert.Empty(PredictionFolderReader.ParseMatlabText("f", "k\n3\n1 1 1 1 0.1\n", out warning));
        Assert.Contains("only 1", warning);
        Assert.Empty(PredictionFolderReader.ParseMatlabText("f", "k\n1\n1 1 1 0.1\n", out warning));
        Assert.NotNull(warning);
    }

    [Fact]
    public void Matlab_sort_is_stable_for_equal_scores()
    {
        PredBox[] boxes = [new(1, 0, 0, 0, 0.5), new(2, 0, 0, 0, 0.7), new(3, 0, 0, 0, 0.5), new(4, 0, 0, 0, 0.7)];
        PredictionFolderReader.SortByScoreDescendingStable(boxes);
        Assert.Equal([2.0, 4.0, 1.0, 3.0], boxes.Select(b => b.X));
    }

    [Fact]
    public void Matlab_protocol_looks_files_up_by_name_and_warns_for_missing_ones()
    {
        _dir.Write("0--E/img_1.txt", "whatever is on line one\n1\n10 10 20 20 0.9\n");
        var result = WiderFaceEvaluator.EvaluateFolder(Gt, _dir.Path, new EvalOptions { Protocol = EvalProtocol.Matlab });
        Assert.Single(result.Warnings);
        Assert.Contains("img_2", result.Warnings[0]);
    }

    [Fact]
    public void Crlf_and_a_missing_final_newline_read_the_same()
    {
        _dir.Write("0--E/img_1.txt", "img_1\r\n2\r\n10 10 20 20 0.9\r\n100 100 5 5 0.1");
        var set = PredictionFolderReader.ReadPython(_dir.Path, lenient: false, new List<string>());
        Assert.True(set.TryGet("img_1", out var one));
        Assert.Equal(2, one.Boxes.Length);
    }
}
