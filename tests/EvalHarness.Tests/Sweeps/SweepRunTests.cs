using System.Globalization;
using EvalHarness.IO;
using EvalHarness.Reporting;
using EvalHarness.Reporting.Csv;
using EvalHarness.Runs;
using EvalHarness.Suites;
using EvalHarness.Sweeps;

namespace EvalHarness.Tests.Sweeps;

/// <summary>A sweep through <c>run</c> on the synthetic detector, end to end (seconds).</summary>
public sealed class SweepRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static Suite SweepSuite(string extra = "") => SuiteLoader.Parse($$"""
        {
          "name": "tiny-sweep",
          "dataset": { "kind": "synthetic", "seed": 3, "images": 10 },
          "variants": [ "nms(iou=[0.3,0.4,0.6])", "soft-nms-gaussian(sigma=[0.3,0.5])", "gc+nms(r=[1,2],k=[1,2],score=[0.02,0.1])", "peak3x3+nms" ],
          "backends": [ "scalar", "simd" ],
          "tuning": { "objective": "hard-ap", "folds": 2 },
          "warmup": 0,
          "bootstrapResamples": 100{{extra}}
        }
        """, "tiny-sweep.json");

    [Fact]
    public void The_suite_is_a_sweep_with_the_sweep_defaults()
    {
        var suite = SweepSuite();
        Assert.NotNull(suite.Sweep);
        Assert.Equal(3 + 2 + 8 + 1, suite.Variants.Count);
        Assert.Equal(SweepSpec.DefaultRepeats, suite.Repeats);
        Assert.Equal(4, suite.Sweep!.Grids.Count);
        // suite.json keeps the grids, so it reloads as the same sweep.
        var again = SuiteLoader.Parse(SuiteLoader.ToJson(suite), "suite.json");
        Assert.Equal(suite.Variants, again.Variants);
        Assert.NotNull(again.Sweep);
        Assert.Null(SuiteLoader.Parse("""{ "name": "p", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms"], "backends": ["simd"] }""", "p").Sweep);
    }

    [Theory]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms(iou=[0.3,0.4])"], "backends": ["simd"], "maxConfigs": 1 }""", "more than maxConfigs 1")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms(iou=[])"], "backends": ["simd"] }""", "'iou' has an empty list")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms(iou=[0.3])"], "backends": ["simd"], "tuning": { "folds": 1 } }""", "at least 2")]
    [InlineData("""{ "name": "x", "dataset": { "kind": "synthetic", "images": 3 }, "variants": ["nms(iou=[0.3])"], "backends": ["simd"], "tuning": { "objective": "speed" } }""", "objective 'speed'")]
    public void Bad_sweep_suites_are_refused_naming_the_suite(string json, string problem)
    {
        var ex = Assert.Throws<UsageException>(() => SuiteLoader.Parse(json, "x.json"));
        Assert.Contains("suite x.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sweep_through_run_writes_the_tables_charts_and_report_and_they_agree()
    {
        var suite = SweepSuite();
        var outDir = Path.Combine(_dir, "sweep");
        var result = RunSession.Run(new RunRequest { Suite = suite, OutputDir = outDir, CacheRoot = Path.Combine(_dir, "cache") }, observer: null, TestContext.Current.CancellationToken);
        Assert.NotNull(result.Results);
        Assert.Equal(10, result.ImagesProcessed);

        foreach (var file in new[] { SweepFiles.Sweep, SweepFiles.Tuning, SweepFiles.Pareto, ResultFiles.Summary, ResultFiles.Verdicts, ResultFiles.Report, ResultFiles.Suite,
                     "charts/pareto_scalar.png", "charts/pareto_simd.png", "charts/sensitivity_nms.png", "charts/sensitivity_gc_nms.png", "charts/sensitivity_soft-nms-gaussian.png" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        }
        Assert.All(Directory.GetFiles(Path.Combine(outDir, "charts")), png => Assert.True(new FileInfo(png).Length > 10_000, png));

        var sweep = CsvFiles.Read<SweepRecord>(Path.Combine(outDir, SweepFiles.Sweep), ["configuration"]);
        Assert.Equal(14 * 2, sweep.Count);
        Assert.All(sweep, r => Assert.Equal("ok", r.Status));
        Assert.Equal(14, sweep.Select(r => r.Configuration).Distinct().Count());
        var gc = sweep.Where(r => r.Family == "gc+nms").ToList();
        Assert.Equal(16, gc.Count);
        Assert.Equal(["1", "2"], gc.Select(r => r.R).Distinct().Order());
        Assert.All(sweep.Where(r => r.Family == "soft-nms-gaussian"), r => Assert.NotEqual("", r.Sigma));
        // scalar and simd agree exactly on the exact-equivalence families
        foreach (var group in sweep.Where(r => r.Family != "soft-nms-gaussian").GroupBy(r => r.Configuration))
        {
            Assert.Single(group.Select(r => (r.ApEasy, r.ApMedium, r.ApHard, r.DetectionsSha256)).Distinct());
        }
        // each backend has a frontier, and pareto.csv lists exactly the flagged rows
        var pareto = CsvFiles.Read<ParetoRecord>(Path.Combine(outDir, SweepFiles.Pareto), ["configuration"]);
        foreach (var backend in new[] { "scalar", "simd" })
        {
            Assert.Equal(sweep.Where(r => r.Backend == backend && r.OnFrontier).Select(r => r.Configuration).Order(),
                pareto.Where(p => p.Backend == backend).Select(p => p.Configuration).Order());
            Assert.Contains(pareto, p => p.Backend == backend);
        }

        // tuning.csv: every family × fold (plus the matched-accuracy choice), picks from the family
        var tuning = CsvFiles.Read<TuningRecord>(Path.Combine(outDir, SweepFiles.Tuning), ["family"]);
        foreach (var family in new[] { "nms", "soft-nms-gaussian", "gc+nms", "peak3x3+nms" })
        {
            var rows = tuning.Where(t => t.Family == family).ToList();
            Assert.Equal([1, 2], rows.Select(t => t.Fold));
            Assert.All(rows, t => Assert.StartsWith(family + "(", t.Pick, StringComparison.Ordinal));
            Assert.Equal(10, rows.Sum(t => t.HeldOutImages));
        }
        Assert.Equal(2, tuning.Count(t => t.Family == SweepResults.MatchedFamily));

        // A family that picked one configuration in both folds has exactly that configuration's AP.
        var report = File.ReadAllText(Path.Combine(outDir, ResultFiles.Report));
        foreach (var family in tuning.Where(t => t.Family != SweepResults.MatchedFamily).GroupBy(t => t.Family))
        {
            if (family.Select(t => t.Pick).Distinct().Count() != 1) continue;
            var pick = family.First().Pick;
            var ap = sweep.First(r => r.Configuration == pick && r.Backend == "scalar").ApHard!.Value;
            Assert.Contains($"| {family.Key} | {pick} (all folds) | ", report, StringComparison.Ordinal);
            Assert.Contains(ap.ToString("0.0000", CultureInfo.InvariantCulture), report, StringComparison.Ordinal);
        }

        // report.md: the tuned comparison comes first, the untuned verdicts stay
        var tunedAt = report.IndexOf("## Tuned comparison", StringComparison.Ordinal);
        var untunedAt = report.IndexOf("## Verdicts (untuned", StringComparison.Ordinal);
        Assert.True(tunedAt > 0 && untunedAt > tunedAt, "tuned section first, then untuned");
        Assert.Contains("gc+nms (tuned)", report, StringComparison.Ordinal);
        Assert.Contains("gc+nms(score=0.02,iou=0.4,r=1,k=2) (untuned)", report, StringComparison.Ordinal);
        Assert.Contains("improves speed at matched accuracy", report, StringComparison.Ordinal);
        Assert.Contains("![", report, StringComparison.Ordinal);

        var verdicts = CsvFiles.Read<VerdictRecord>(Path.Combine(outDir, ResultFiles.Verdicts), ["variant"]);
        Assert.Contains(verdicts, v => v.Variant == "gc+nms (tuned)" && v.Claim == "improves accuracy");
        Assert.Contains(verdicts, v => v.Variant == SweepResults.MatchedFamily && v.Claim == "improves speed at matched accuracy");

        // compare works on sweeps: keyed by the canonical configuration label
        var comparison = RunComparer.Compare(outDir, outDir);
        Assert.False(comparison.HasRegression);
        Assert.Contains(comparison.Metrics, m => m.Variant == "gc+nms(score=0.1,iou=0.4,r=2,k=2)" && m.Metric == "ap_hard");
    }
}

public sealed class SweepShardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-sweep-shard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Shards_of_a_sweep_merge_into_the_same_accuracy_as_the_whole_sweep()
    {
        var suite = SweepRunTests.SweepSuite();
        RunSessionResult Run(string outDir, string? shard) => RunSession.Run(new RunRequest
        {
            Suite = suite,
            OutputDir = outDir,
            Shard = shard is null ? null : SuiteLoader.ParseShard(shard),
            CacheRoot = Path.Combine(_dir, "cache"),
        }, observer: null, TestContext.Current.CancellationToken);

        var whole = Path.Combine(_dir, "whole");
        Run(whole, null);
        var shard1 = Run(Path.Combine(_dir, "s1"), "1/2");
        var shard2 = Run(Path.Combine(_dir, "s2"), "2/2");
        Assert.Null(shard1.Results);
        Assert.Equal(5, shard1.ImagesProcessed);
        Assert.Equal(5, shard2.ImagesProcessed);
        Assert.False(File.Exists(Path.Combine(shard1.OutputDir, SweepFiles.Sweep)));

        var merged = Path.Combine(_dir, "merged");
        var mergedRun = RunSession.Merge([shard1.OutputDir, shard2.OutputDir], merged, root: null);
        Assert.Equal(28, mergedRun.Rows.Count);

        static IEnumerable<(string, string, double?, double?, double?, string)> Accuracy(string dir) =>
            CsvFiles.Read<SweepRecord>(Path.Combine(dir, SweepFiles.Sweep), ["configuration"])
                .Select(r => (r.Configuration, r.Backend, r.ApEasy, r.ApMedium, r.ApHard, r.DetectionsSha256));
        Assert.Equal(Accuracy(whole), Accuracy(merged));
        var tuningWhole = CsvFiles.Read<TuningRecord>(Path.Combine(whole, SweepFiles.Tuning), ["family"]);
        var tuningMerged = CsvFiles.Read<TuningRecord>(Path.Combine(merged, SweepFiles.Tuning), ["family"]);
        Assert.Equal(tuningWhole.Select(t => (t.Family, t.Fold, t.HeldOutImages)), tuningMerged.Select(t => (t.Family, t.Fold, t.HeldOutImages)));
        Assert.True(File.Exists(Path.Combine(merged, "charts", "pareto_simd.png")));
        Assert.Contains("## Tuned comparison", File.ReadAllText(Path.Combine(merged, ResultFiles.Report)), StringComparison.Ordinal);
    }
}
