using EvalHarness.IO;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Runs;

public sealed class RunSessionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-session-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static Suite SmallSuite(int images = 7) => SuiteLoader.Parse($$"""
        {
          "name": "tiny",
          "dataset": { "kind": "synthetic", "seed": 3, "images": {{images}} },
          "variants": [ "nms", "fast-nms", "peak3x3+nms", "gc+nms" ],
          "backends": [ "scalar", "simd" ],
          "repeats": 2,
          "warmup": 0,
          "bootstrapResamples": 100
        }
        """, "tiny.json");

    private RunSessionResult Run(Suite suite, string outDir, string? shard = null) =>
        RunSession.Run(new RunRequest
        {
            Suite = suite,
            OutputDir = outDir,
            Shard = shard is null ? null : SuiteLoader.ParseShard(shard),
            CacheRoot = Path.Combine(_dir, "cache"),
        }, observer: null, TestContext.Current.CancellationToken);

    [Fact]
    public void A_run_writes_every_artefact_and_backends_agree_exactly()
    {
        var result = Run(SmallSuite(), Path.Combine(_dir, "whole"));
        foreach (var file in new[] { ResultFiles.Summary, ResultFiles.Ap, ResultFiles.PrCurves, ResultFiles.LatencySamples, ResultFiles.Environment, ResultFiles.Suite, ResultFiles.Report })
        {
            Assert.True(File.Exists(Path.Combine(result.OutputDir, file)), file);
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(result.OutputDir, ResultFiles.ChartsFolder), "*.png"));
        var run = result.Results!;
        Assert.Equal(8, run.Rows.Count);
        foreach (var variant in new[] { "nms", "fast-nms", "peak3x3+nms", "gc+nms" })
        {
            var scalar = run.Find(variant, "scalar")!;
            var simd = run.Find(variant, "simd")!;
            Assert.True(scalar.IsOk && simd.IsOk, $"{variant}: {scalar.Reason} {simd.Reason}");
            Assert.Equal(scalar.DetectionsSha256, simd.DetectionsSha256);
            Assert.Equal(scalar.Ap, simd.Ap);
        }
        Assert.Null(run.Find("nms", "scalar")!.DeltaAp);
        Assert.NotNull(run.Find("gc+nms", "scalar")!.DeltaAp);
        Assert.Contains(run.Verdicts, v => v.Variant == "gc+nms");
    }

    [Fact]
    public void A_merge_of_three_shards_equals_the_unsharded_run()
    {
        var suite = SmallSuite();
        var whole = Run(suite, Path.Combine(_dir, "whole")).Results!;
        var shards = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var dir = Path.Combine(_dir, $"shard{i}");
            Assert.Null(Run(suite, dir, $"{i}/3").Results);
            shards.Add(dir);
        }
        var mergedDir = Path.Combine(_dir, "merged");
        var merged = RunSession.Merge(shards, mergedDir, root: null);

        Assert.Equal(whole.Rows.Count, merged.Rows.Count);
        for (var i = 0; i < whole.Rows.Count; i++)
        {
            Assert.Equal(whole.Rows[i].Ap, merged.Rows[i].Ap);
            Assert.Equal(whole.Rows[i].DeltaAp, merged.Rows[i].DeltaAp);
            Assert.Equal(whole.Rows[i].DetectionsSha256, merged.Rows[i].DetectionsSha256);
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "whole", ResultFiles.Ap)), File.ReadAllBytes(Path.Combine(mergedDir, ResultFiles.Ap)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "whole", ResultFiles.PrCurves)), File.ReadAllBytes(Path.Combine(mergedDir, ResultFiles.PrCurves)));
    }

    [Fact]
    public void A_merge_with_a_missing_shard_is_refused()
    {
        var suite = SmallSuite();
        Run(suite, Path.Combine(_dir, "s1"), "1/2");
        var ex = Assert.Throws<UsageException>(() => RunSession.Merge([Path.Combine(_dir, "s1")], Path.Combine(_dir, "m"), root: null));
        Assert.Contains("no outcome", ex.Message);
    }

    [Fact]
    public void Shards_of_different_suites_are_refused()
    {
        Run(SmallSuite(7), Path.Combine(_dir, "a"), "1/2");
        Run(SmallSuite(8), Path.Combine(_dir, "b"), "2/2");
        Assert.Throws<UsageException>(() => RunSession.Merge([Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], Path.Combine(_dir, "m"), root: null));
    }

    [Fact]
    public void A_rerun_into_the_same_folder_resumes_only_outcomes_timed_on_this_machine()
    {
        var outDir = Path.Combine(_dir, "machine");
        var suite = SmallSuite();
        Assert.Equal(0, Run(suite, outDir).ImagesResumed);
        Assert.Equal(7, Run(suite, outDir).ImagesResumed);

        // As if the folder had been timed elsewhere (another CPU, or DOTNET_EnableAVX512=0 here): the
        // header's timing-machine field (bytes 16..23) of every stored outcome names another machine.
        var images = Path.Combine(outDir, ImageOutcomeStore.FolderName);
        foreach (var file in Directory.GetFiles(images, "*.bin"))
        {
            var bytes = File.ReadAllBytes(file);
            bytes[16] ^= 0x5A;
            File.WriteAllBytes(file, bytes);
        }
        var warnings = new List<string>();
        var retimed = RunSession.Run(new RunRequest { Suite = suite, OutputDir = outDir, CacheRoot = Path.Combine(_dir, "cache") },
            new WarningRecorder(warnings), TestContext.Current.CancellationToken);
        Assert.Equal(0, retimed.ImagesResumed);
        Assert.Single(warnings, w => w.Contains("timed on another machine or device", StringComparison.Ordinal));
        Assert.Equal(7, Run(suite, outDir).ImagesResumed); // rewritten by this machine
    }

    private sealed class WarningRecorder(List<string> warnings) : IRunObserver
    {
        public void OnImageDone(RunProgress progress) { }
        public void OnWarning(string message) => warnings.Add(message);
    }

    [Fact]
    public void Without_an_output_folder_a_rerun_resumes_the_interrupted_run_of_the_suite_and_never_a_finished_one()
    {
        var suite = SmallSuite();
        var resultsRoot = Path.Combine(_dir, "results");
        RunSessionResult RunInRoot() => RunSession.Run(new RunRequest { Suite = suite, ResultsRoot = resultsRoot, CacheRoot = Path.Combine(_dir, "cache") }, null, TestContext.Current.CancellationToken);
        var first = RunInRoot();
        Assert.Equal(0, first.ImagesResumed);
        Assert.True(RunFolder.IsComplete(first.OutputDir));

        // interrupted during export: every outcome stored, results half written, no completion marker
        File.Delete(Path.Combine(first.OutputDir, RunFolder.CompleteFile));
        File.WriteAllText(Path.Combine(first.OutputDir, ResultFiles.Summary), "half");
        var second = RunInRoot();
        Assert.Equal(first.OutputDir, second.OutputDir);
        Assert.Equal(7, second.ImagesResumed);
        Assert.True(RunFolder.IsComplete(second.OutputDir));
        Assert.NotEqual("half", File.ReadAllText(Path.Combine(second.OutputDir, ResultFiles.Summary)));

        var third = RunInRoot();
        Assert.NotEqual(second.OutputDir, third.OutputDir);
        Assert.Equal(0, third.ImagesResumed);
    }

    [Fact]
    public void A_merge_refuses_duplicated_overlapping_or_unfinished_shards_and_an_output_that_is_a_shard()
    {
        var suite = SmallSuite();
        string Shard(string name, string spec)
        {
            var dir = Path.Combine(_dir, name);
            Run(suite, dir, spec);
            return dir;
        }
        var a = Shard("a", "1/2");
        var b = Shard("b", "2/2");
        var c = Shard("c", "1/3");
        var a2 = Shard("a2", "1/2");
        string Refusal(string[] shards, string output) => Assert.Throws<UsageException>(() => RunSession.Merge(shards, output, root: null)).Message;

        Assert.Contains("named twice", Refusal([a, b, a], Path.Combine(_dir, "m")));
        Assert.Contains("both shard 1/2", Refusal([a, b, a2], Path.Combine(_dir, "m")));
        Assert.Contains("the shards overlap", Refusal([a, b, c], Path.Combine(_dir, "m")));
        Assert.Contains("one of the shard folders", Refusal([a, b], b));
        Assert.Contains("image outcomes", Refusal([a, b], c));
        File.Delete(Path.Combine(b, RunFolder.CompleteFile));
        Assert.Contains("incomplete run", Refusal([a, b], Path.Combine(_dir, "m")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "m")), "nothing is written for a refused merge");
    }
}
