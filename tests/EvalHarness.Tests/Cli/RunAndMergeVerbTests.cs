using EvalHarness.Tests.Reliability;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Tests.Cli;

/// <summary><c>run --write-predictions</c> and <c>merge</c> through the command line.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class RunAndMergeVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-runverb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSuite(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    private const string SyntheticSuite = """
        {
          "name": "tiny",
          "dataset": { "kind": "synthetic", "seed": 3, "images": 7 },
          "variants": [ "nms", "gc+nms" ],
          "backends": [ "scalar", "simd" ],
          "repeats": 1,
          "warmup": 0,
          "bootstrapResamples": 100
        }
        """;

    [Fact]
    public async Task Run_writes_a_prediction_file_for_every_listed_image_including_a_skipped_one()
    {
        // a WIDER root of two images (TinyGroundTruth: one face each); img_b is not a JPEG
        var root = Path.Combine(_dir, "wider");
        TinyGroundTruth.Write(Path.Combine(root, "ground_truth"));
        var images = Path.Combine(root, "WIDER_val", "images", TinyGroundTruth.Event);
        Directory.CreateDirectory(images);
        using (var image = new Image<Rgb24>(160, 160, new Rgb24(90, 120, 150))) image.SaveAsJpeg(Path.Combine(images, "img_a.jpg"));
        File.WriteAllText(Path.Combine(images, "img_b.jpg"), "not a JPEG");
        var suite = WriteSuite("wider.json", $$"""
            {
              "name": "tinywider",
              "dataset": { "kind": "widerface", "root": "{{root}}" },
              "detector": { "model": "blazeface-back", "mode": "letterbox" },
              "variants": [ "nms", "fast-nms" ],
              "backends": [ "scalar" ],
              "repeats": 1,
              "warmup": 0,
              "bootstrapResamples": 100
            }
            """);
        var outDir = Path.Combine(_dir, "out");

        // its own process: the candidate cache lives under the working directory
        using var run = CliProcess.Start(_dir, "run", "--suite", suite, "--models-dir", TestData.ModelsDir, "--out", outDir, "--write-predictions");
        var (code, stdout, stderr) = await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(code == 0, stderr);
        Assert.Contains("1 image(s) skipped", stdout);
        Assert.Contains("img_b", stdout);

        foreach (var variant in new[] { "nms", "fast-nms" })
        {
            var folder = Path.Combine(outDir, "predictions", variant);
            var skipped = File.ReadAllLines(Path.Combine(folder, TinyGroundTruth.Event, "img_b.txt"));
            Assert.Equal(["img_b", "0"], skipped);
            var processed = File.ReadAllLines(Path.Combine(folder, TinyGroundTruth.Event, "img_a.txt"));
            Assert.Equal("img_a", processed[0]);
            Assert.Equal(processed.Length - 2, int.Parse(processed[1], System.Globalization.CultureInfo.InvariantCulture));

            // the python protocol stops at a missing file; with one per image it evaluates the folder
            var (evalCode, _, evalErr) = CliHarness.InvokeCaptured("evaluate", "--pred", folder, "--gt", root);
            Assert.True(evalCode == 0, evalErr);
        }
    }

    [Fact]
    public async Task Merge_of_cli_shards_equals_the_unsharded_cli_run_and_writes_every_prediction_file()
    {
        var suite = WriteSuite("tiny.json", SyntheticSuite);
        var whole = Path.Combine(_dir, "whole");
        Assert.Equal(0, await CliHarness.Invoke("run", "--suite", suite, "--out", whole));
        var shards = new[] { Path.Combine(_dir, "s1"), Path.Combine(_dir, "s2") };
        for (var i = 0; i < shards.Length; i++)
        {
            var (shardCode, shardOut, shardErr) = CliHarness.InvokeCaptured("run", "--suite", suite, "--shard", $"{i + 1}/2", "--out", shards[i]);
            Assert.True(shardCode == 0, shardErr);
            Assert.Contains("shard done", shardOut);
        }
        var merged = Path.Combine(_dir, "merged");
        var (code, stdout, stderr) = CliHarness.InvokeCaptured("merge", shards[0], shards[1], "--out", merged, "--write-predictions");
        Assert.True(code == 0, stderr);
        Assert.Contains($"results: {Path.GetFullPath(merged)}", stdout);

        // AP, its intervals and ΔAP do not depend on sharding; latencies do
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "ap.csv")), File.ReadAllBytes(Path.Combine(merged, "ap.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "pr_curves.csv")), File.ReadAllBytes(Path.Combine(merged, "pr_curves.csv")));
        foreach (var variant in new[] { "nms", "gc+nms" })
        {
            Assert.Equal(7, Directory.GetFiles(Path.Combine(merged, "predictions", variant), "*.txt", SearchOption.AllDirectories).Length);
        }
    }

    [Fact]
    public void Merge_of_an_incomplete_set_of_shards_is_one_error_line_and_exit_2()
    {
        var suite = WriteSuite("tiny.json", SyntheticSuite);
        var shard = Path.Combine(_dir, "s1");
        Assert.Equal(0, CliHarness.InvokeCaptured("run", "--suite", suite, "--shard", "1/2", "--out", shard).Code);
        var (code, _, stderr) = CliHarness.InvokeCaptured("merge", shard, "--out", Path.Combine(_dir, "merged"));
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("no outcome", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }
}
