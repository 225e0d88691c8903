using EvalHarness.Detectors.Cache;

namespace EvalHarness.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public sealed class DetectVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<int> Run(params string[] args) => CliHarness.Invoke(["detect", .. args]);

    [Fact]
    public async Task Synthetic_detect_fills_the_cache_writes_predictions_and_replays()
    {
        var cache = Path.Combine(_dir, "cache");
        var predictions = Path.Combine(_dir, "pred");
        Assert.Equal(0, await Run("--dataset", "synthetic", "--images", "4", "--seed", "9", "--out", cache, "--write-predictions", predictions, "--variant", "gc+nms"));
        Assert.Equal(4, Directory.GetFiles(cache, "*" + CandidateCache.EntryExtension, SearchOption.AllDirectories).Length);
        Assert.True(File.Exists(Path.Combine(cache, CandidateCache.ManifestFileName)));
        var files = Directory.GetFiles(predictions, "*.txt", SearchOption.AllDirectories);
        Assert.Equal(4, files.Length);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), lines[0]);
            Assert.Equal(int.Parse(lines[1]), lines.Length - 2);
            Assert.True(lines.Length > 2, "a synthetic image yields detections");
            Assert.Equal(5, lines[2].Split(' ').Length);
        }
        var before = File.GetLastWriteTimeUtc(Directory.GetFiles(cache, "*" + CandidateCache.EntryExtension, SearchOption.AllDirectories)[0]);
        Assert.Equal(0, await Run("--dataset", "synthetic", "--images", "4", "--seed", "9", "--out", cache));
        Assert.Equal(before, File.GetLastWriteTimeUtc(Directory.GetFiles(cache, "*" + CandidateCache.EntryExtension, SearchOption.AllDirectories)[0]));
    }

    [Fact]
    public async Task Bad_options_exit_with_the_bad_input_code()
    {
        Assert.Equal(2, await Run("--dataset", "imagenet", "--out", _dir));
        Assert.Equal(2, await Run("--dataset", "synthetic", "--out", _dir, "--write-predictions", _dir, "--variant", "no-such-variant"));
    }

    [Fact]
    public async Task A_missing_model_is_a_clear_error()
    {
        var root = TestData.WiderFaceRoot;
        Assert.Equal(2, await Run("--root", root, "--events", "0--Parade", "--limit", "1", "--models-dir", _dir, "--out", Path.Combine(_dir, "c")));
    }
}
