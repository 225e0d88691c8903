using System.CommandLine;
using EvalHarness.Cli;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public sealed class PostprocessVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postprocess-verb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteInput(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Exit, string Output) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var root = new RootCommand { new PostprocessVerb(new CliOutput(() => output, () => TextWriter.Null)).Create() };
        var exit = root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        return (exit, output.ToString());
    }

    [Theory]
    [InlineData("scalar")]
    [InlineData("simd")]
    public void Writes_kept_detections_and_ends_with_the_timing_line(string backend)
    {
        var input = WriteInput("in.csv", "x1,y1,x2,y2,score\n0,0,10,10,0.9\n3,0,13,10,0.8\n\n6,0,16,10,0.7\n100,100,110.25,110,0.123456789\n");
        var outPath = Path.Combine(_dir, "out.csv");
        var (exit, output) = Invoke("postprocess", "--input", input, "--variant", "nms", "--backend", backend, "--repeat", "3", "--out", outPath);

        Assert.Equal(0, exit);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^median_ms=\d+\.\d{3} p90_ms=\d+\.\d{3} kept=3 repeats=3 warmup_passes=([3-9]|\d\d+)$", last);
        var lines = File.ReadAllLines(outPath);
        Assert.Equal(["x1,y1,x2,y2,score", "0,0,10,10,0.9", "6,0,16,10,0.7", "100,100,110.25,110,0.12345679"], lines);
    }

    [Fact]
    public void Header_is_optional_and_output_round_trips()
    {
        var input = WriteInput("noheader.csv", "0.1,0.2,5.3,7.7,0.33333334\n");
        var map = FlatCandidateCsv.Read(input);
        Assert.Equal(1, map.Count);
        Assert.Equal(0.33333334f, map.Scores[0]);

        var list = new DetectionList();
        list.Add(0, 0.1f + 0.2f, 1f / 3f, 2e-8f, 123456.79f, 0.7f);
        var path = Path.Combine(_dir, "rt.csv");
        FlatCandidateCsv.Write(path, list);
        var back = FlatCandidateCsv.Read(path);
        Assert.Equal([list.X1[0], list.Y1[0], list.X2[0], list.Y2[0], list.Score[0]], [back.X1[0], back.Y1[0], back.X2[0], back.Y2[0], back.Scores[0]]);
    }

    [Theory]
    [InlineData("0,0,10,10,0.9\n1,2,3\n", 2, "expected 5 fields")]
    [InlineData("x1,y1,x2,y2,score\n0,0,10,10,0.9\n0,0,1x,10,0.5\n", 3, "x2 '1x'")]
    [InlineData("0,0,10,10,NaN\n", 1, "score 'NaN'")]
    [InlineData("0,0,10,10,0.5\nx1,y1,x2,y2,score\n", 2, "x1 'x1'")]
    public void Malformed_rows_name_file_and_line(string text, int line, string problem)
    {
        var input = WriteInput("bad.csv", text);
        var ex = Assert.Throws<DataFormatException>(() => FlatCandidateCsv.Read(input));
        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"{input}:{line}: ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Theory]
    [InlineData("gc")]
    [InlineData("peak3x3+nms")]
    public void Grid_variants_are_a_usage_error_on_flat_input(string variant)
    {
        var input = WriteInput("in.csv", "0,0,10,10,0.9\n");
        var ex = Assert.Throws<UsageException>(() => Invoke("postprocess", "--input", input, "--variant", variant));
        Assert.Contains("dense candidate grid", ex.Message);
    }

    [Fact]
    public void Unknown_backend_and_missing_file_are_reported()
    {
        var input = WriteInput("in.csv", "0,0,10,10,0.9\n");
        Assert.Throws<UsageException>(() => Invoke("postprocess", "--input", input, "--variant", "nms", "--backend", "fpga"));
        Assert.Throws<DataFormatException>(() => Invoke("postprocess", "--input", Path.Combine(_dir, "missing.csv"), "--variant", "nms"));
    }

    [Fact]
    public void Flat_input_has_no_caps_unless_the_variant_sets_them()
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < 6000; i++) sb.Append(i * 20).Append(",0,").Append(i * 20 + 10).Append(",10,0.5\n");
        var input = WriteInput("many.csv", sb.ToString());
        Assert.Contains("kept=6000 ", Invoke("postprocess", "--input", input, "--variant", "nms").Output.TrimEnd());
        Assert.Contains("kept=10 ", Invoke("postprocess", "--input", input, "--variant", "nms(keep=10)").Output.TrimEnd());
    }
}
