using System.Diagnostics;
using EvalHarness.Tests.Cli;

namespace EvalHarness.Tests.Reliability;

/// <summary>
/// Every bad input through the real verbs: exit code 2 and exactly one <c>error: …</c> line on
/// stderr naming what was wrong, never a stack trace. Console output is captured, so these share
/// the console collection.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class CliErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-cli-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.InvokeCaptured(args);

    private static void AssertOneErrorLine(int code, string stderr, string expected)
    {
        Assert.True(code == 2, $"exit code {code}, stderr: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", stderr);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Candidates() => Write("candidates.csv", "x1,y1,x2,y2,score\n0,0,10,10,0.9\n1,1,11,11,0.8\n");

    private const string GoodSuite = """{ "name": "ok", "dataset": { "kind": "synthetic", "seed": 1, "images": 2 }, "variants": ["nms"], "backends": ["scalar"], "repeats": 1, "warmup": 0, "bootstrapResamples": 100 }""";

    [Fact]
    public void Run_with_broken_suite_json_names_the_file_and_line()
    {
        var path = Write("broken.json", "{\n  \"name\": \"x\",\n  \"variants\": [\"nms\"\n}\n");
        var (code, _, err) = Run("run", "--suite", path, "--out", Path.Combine(_dir, "out"));
        AssertOneErrorLine(code, err, $"{path}:");
    }

    [Theory]
    [InlineData("\"backends\": [\"scalar\"]", "\"backends\": [\"cuda\"]", "unknown backend 'cuda'")]
    [InlineData("\"variants\": [\"nms\"]", "\"variants\": [\"nmx\"]", "unknown variant 'nmx'")]
    [InlineData("\"variants\": [\"nms\"]", "\"variants\": [\"nms(iou=2)\"]", "iou must be in [0, 1]")]
    [InlineData("\"variants\": [\"nms\"]", "\"variants\": [\"nms(k=2)\"]", "parameter 'k' does not apply to nms")]
    [InlineData("\"repeats\": 1", "\"repeats\": -3", "repeats must be at least 1")]
    public void Run_with_a_bad_suite_value_names_it(string good, string bad, string expected)
    {
        var path = Write("bad.json", GoodSuite.Replace(good, bad));
        var (code, _, err) = Run("run", "--suite", path, "--out", Path.Combine(_dir, "out"));
        AssertOneErrorLine(code, err, expected);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), "nothing is written for a refused suite");
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("one/two")]
    public void Run_with_a_bad_shard_is_refused(string shard)
    {
        var (code, _, err) = Run("run", "--suite", Write("ok.json", GoodSuite), "--shard", shard, "--out", Path.Combine(_dir, "out"));
        AssertOneErrorLine(code, err, shard);
    }

    [Theory]
    [InlineData("0", "--batch must be at least 1, not 0")]
    [InlineData("-2", "--batch must be at least 1, not -2")]
    [InlineData("5000", "--batch 5000 is above the limit of 4096")]
    public void Run_with_a_bad_batch_size_is_refused(string batch, string expected)
    {
        var (code, _, err) = Run("run", "--suite", Write("ok.json", GoodSuite), "--batch", batch, "--out", Path.Combine(_dir, "out"));
        AssertOneErrorLine(code, err, expected);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), "nothing is written for a refused option");
    }

    [Fact]
    public void An_unknown_suite_name_lists_the_built_in_ones() =>
        AssertOneErrorLine(Run("run", "--suite", "no-such-suite").Code, Run("run", "--suite", "no-such-suite").Err, "unknown suite 'no-such-suite'");

    [Theory]
    [InlineData("bogus", "unknown variant 'bogus'")]
    [InlineData("fast-nms(k=3)", "parameter 'k' does not apply to fast-nms")]
    [InlineData("nms(iou=abc)", "bad value 'abc'")]
    [InlineData("soft-nms-gaussian(sigma=0)", "sigma must be a positive finite number")]
    [InlineData("nms(iou=0.4", "missing ')'")]
    public void Postprocess_with_a_bad_variant_names_it(string variant, string expected)
    {
        var (code, _, err) = Run("postprocess", "--input", Candidates(), "--variant", variant);
        AssertOneErrorLine(code, err, expected);
    }

    [Theory]
    [InlineData("--repeat", "abc")]
    [InlineData("--backend", "tpu")]
    [InlineData("--no-such-option", "1")]
    public void Postprocess_with_a_bad_option_value_exits_2_with_one_line(string option, string value)
    {
        var (code, _, err) = Run("postprocess", "--input", Candidates(), "--variant", "nms", option, value);
        AssertOneErrorLine(code, err, value);
    }

    [Fact]
    public void Evaluate_with_a_damaged_ground_truth_names_the_mat_file()
    {
        var gt = TinyGroundTruth.Write(Path.Combine(_dir, "gt"), TinyGroundTruth.Damage.BoxesThreeColumns);
        var pred = Path.Combine(_dir, "pred");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 40 40 0.9");
        var (code, _, err) = Run("evaluate", "--pred", pred, "--gt", gt);
        AssertOneErrorLine(code, err, Path.Combine(gt, "wider_face_val.mat") + ": face_bbx_list{1}{1} (img_a): expected a k x 4 box array");
    }

    [Fact]
    public void Evaluate_with_a_nan_score_names_the_image()
    {
        var gt = TinyGroundTruth.Write(Path.Combine(_dir, "gt"));
        var pred = Path.Combine(_dir, "pred");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 40 40 nan");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_b", "100 100 30 30 0.5");
        var (code, _, err) = Run("evaluate", "--pred", pred, "--gt", gt);
        AssertOneErrorLine(code, err, "0--Parade/img_a: a NaN score");
    }

    [Fact]
    public void Evaluate_with_a_duplicate_image_key_names_both_files()
    {
        var gt = TinyGroundTruth.Write(Path.Combine(_dir, "gt"));
        var pred = Path.Combine(_dir, "pred");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 40 40 0.9");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_b", "100 100 30 30 0.5");
        Directory.CreateDirectory(Path.Combine(pred, "1--Other"));
        File.WriteAllText(Path.Combine(pred, "1--Other", "copy.txt"), "img_a.jpg\n1\n10 10 40 40 0.9\n");
        var (code, _, err) = Run("evaluate", "--pred", pred, "--gt", gt);
        AssertOneErrorLine(code, err, "image 'img_a' is also named by");
    }

    [Theory]
    [InlineData("--protocol", "octave", "unknown protocol 'octave'")]
    [InlineData("--pred", "does-not-exist", "prediction folder not found")]
    public void Evaluate_with_a_bad_option_names_it(string option, string value, string expected)
    {
        var gt = TinyGroundTruth.Write(Path.Combine(_dir, "gt"));
        var pred = Path.Combine(_dir, "pred");
        TinyGroundTruth.WritePrediction(pred, TinyGroundTruth.Event, "img_a", "10 10 40 40 0.9");
        string[] args = option == "--pred"
            ? ["evaluate", "--pred", Path.Combine(_dir, value), "--gt", gt]
            : ["evaluate", "--pred", pred, "--gt", gt, option, value];
        var (code, _, err) = Run(args);
        AssertOneErrorLine(code, err, expected);
    }

    [Fact]
    public void Detect_with_a_file_that_is_not_onnx_names_the_model()
    {
        var model = Write("garbage.onnx", "this is not a protobuf");
        var root = Path.Combine(_dir, "root");
        TinyGroundTruth.Write(Path.Combine(root, "eval_tools", "ground_truth"));
        var images = Directory.CreateDirectory(Path.Combine(root, "WIDER_val", "images", TinyGroundTruth.Event)).FullName;
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(32, 32))
        {
            SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(image, Path.Combine(images, "img_a.jpg"));
        }
        var (code, _, err) = Run("detect", "--model", model, "--root", root, "--out", Path.Combine(_dir, "cache"));
        AssertOneErrorLine(code, err, model);
    }

    [Fact]
    public async Task The_real_executable_exits_2_with_one_line_and_no_stack_trace()
    {
        var suite = Write("broken.json", "{ \"name\": ");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "EvalHarness.Cli.dll"), "run", "--suite", suite, "--out", Path.Combine(_dir, "out") }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        AssertOneErrorLine(process.ExitCode, await stderr, suite);
        Assert.Equal("", stdout.Trim());
    }
}
