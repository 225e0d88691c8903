using System.Diagnostics;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Runs;

/// <summary>
/// Kills a real <c>evalharness run</c> process mid-run (SIGKILL: no chance to clean up) and checks
/// that it left only complete files and that the rerun resumes to the same results.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string SuiteJson = """
        {
          "name": "killable",
          "dataset": { "kind": "synthetic", "seed": 5, "images": 40 },
          "variants": [ "nms", "soft-nms-gaussian", "fast-nms", "gc+nms" ],
          "backends": [ "scalar" ],
          "repeats": 3,
          "warmup": 1,
          "bootstrapResamples": 100
        }
        """;

    [Fact]
    public async Task A_run_killed_mid_way_leaves_complete_files_and_the_rerun_completes_identically()
    {
        var suitePath = Path.Combine(_dir, "killable.json");
        File.WriteAllText(suitePath, SuiteJson);
        var outDir = Path.Combine(_dir, "run");
        var imagesDir = Path.Combine(outDir, "images");

        int victimId;
        using (var victim = StartCli("run", "--suite", suitePath, "--out", outDir))
        {
            victimId = victim.Id;
            var deadline = Stopwatch.StartNew();
            while (!victim.HasExited && CountImages(imagesDir) < 3 && deadline.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(20, TestContext.Current.CancellationToken);
            Assert.False(victim.HasExited, "the run finished before it could be killed; make the suite bigger");
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var stored = CountImages(imagesDir);
        Assert.InRange(stored, 3, 39);
        Assert.False(File.Exists(Path.Combine(outDir, ResultFiles.Summary)), "summary.csv must not exist before every image is done");
        var suite = SuiteLoader.Load(suitePath);
        var plan = RunSession.PlanFor(suite, null, strict: false);
        var source = RunSources.CreateSource(suite, null, null, _dir, null);
        var store = new ImageOutcomeStore(outDir, plan.Hash(source.Describe(), RunFolder.ImageListHash(source.Images)));
        foreach (var index in store.StoredIndices())
        {
            Assert.NotNull(store.TryLoad(index, null, out var problem));
            Assert.Null(problem);
        }
        AssertNoHalfWrittenFiles(outDir);
        // Whether or not the kill landed mid-write, plant the half-written temporary it could have left.
        File.WriteAllBytes(Path.Combine(imagesDir, $".000039.bin.{victimId}.{Guid.NewGuid():N}.tmp"), [1, 2, 3]);

        using (var rerun = StartCli("run", "--suite", suitePath, "--out", outDir))
        {
            var output = await rerun.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await rerun.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(rerun.ExitCode == 0, output + await rerun.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
            Assert.Contains($"{stored} of 40 images resumed", output);
        }

        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        AssertNoHalfWrittenFiles(outDir);

        var clean = RunSession.Run(new RunRequest { Suite = suite, OutputDir = Path.Combine(_dir, "clean"), CacheRoot = _dir }, null, TestContext.Current.CancellationToken);
        Assert.Equal(File.ReadAllBytes(Path.Combine(clean.OutputDir, ResultFiles.Ap)), File.ReadAllBytes(Path.Combine(outDir, ResultFiles.Ap)));
    }

    /// <summary>Every file a reader could pick up is whole: only AtomicFile temporaries (never read) may be partial.</summary>
    private static void AssertNoHalfWrittenFiles(string outDir)
    {
        foreach (var path in Directory.GetFiles(outDir, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(path);
            if (IO.AtomicFile.WriterOf(name) is not null) continue;
            switch (Path.GetExtension(name))
            {
                case ".json":
                    using (System.Text.Json.JsonDocument.Parse(File.ReadAllText(path))) { }
                    break;
                case ".csv" or ".md":
                    var text = File.ReadAllText(path);
                    Assert.True(text.Length > 0 && text[^1] == '\n', $"{path} does not end with a line break");
                    break;
                case ".bin":
                    Assert.True(new FileInfo(path).Length >= 24, $"{path} is shorter than its header");
                    break;
                case ".png":
                    var bytes = File.ReadAllBytes(path);
                    Assert.True(bytes.Length > 12 && bytes.AsSpan(bytes.Length - 8, 4).SequenceEqual("IEND"u8), $"{path} is not a complete PNG");
                    break;
            }
        }
    }

    private static int CountImages(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir, "*.bin").Length : 0;

    private static Process StartCli(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EvalHarness.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }
}
