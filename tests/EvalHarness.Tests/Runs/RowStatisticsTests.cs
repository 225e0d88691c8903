using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Runs;

namespace EvalHarness.Tests.Runs;

public class RowStatisticsTests
{
    private const int Images = 60;
    private static readonly BootstrapOptions Options = HandBuiltRun.Resamples(300);

    private static string[] RunKeys(EvaluationResult evaluation) => [.. evaluation.Records.Images.Select(HandBuiltRun.KeyOf)];

    private static double[] Latencies(int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Images).Select(_ => 0.5 + rng.NextDouble() * 3)];
    }

    private static CellMeasurements Cell(string hash, EvaluationResult evaluation, double[] medians) =>
        new(hash, evaluation.Records, RunKeys(evaluation), medians);

    [Fact]
    public void Intervals_equal_the_sequential_bootstrap_for_any_degree_of_parallelism()
    {
        var variant = HandBuiltRun.RandomEvaluation(1, Images);
        var baseline = HandBuiltRun.RandomEvaluation(2, Images);
        var (va, vb) = (Latencies(3), Latencies(4));
        var keys = RunKeys(variant);
        foreach (var parallelism in new int?[] { 1, 2, 7, null })
        {
            var statistics = new RowStatistics(keys, Options, parallelism);
            var v = Cell("v", variant, va);
            var b = Cell("b", baseline, vb);
            var ap = statistics.ApInterval(v);
            var delta = statistics.DeltaAp(v, b);
            foreach (var s in SettingExtensions.All)
            {
                Assert.Equal(Bootstrap.Paired(Images, w => variant.Records.ApWithWeights(s, w), Options), ap[s]);
                Assert.Equal(Bootstrap.PairedDifference(Images, w => variant.Records.ApWithWeights(s, w), w => baseline.Records.ApWithWeights(s, w), Options), delta[s]);
                Assert.Equal(variant[s].Ap, ap[s].Estimate);
                Assert.True(ap[s].Lower < ap[s].Upper, $"{s}: a degenerate interval {ap[s]} proves little");
            }
            Assert.Equal(Bootstrap.MedianRatio(va, vb, Options), statistics.SpeedRatio(v, b));
        }
    }

    [Fact]
    public void Resamples_follow_the_seed()
    {
        var evaluation = HandBuiltRun.RandomEvaluation(1, Images);
        var cell = Cell("v", evaluation, Latencies(3));
        var keys = RunKeys(evaluation);
        var first = new RowStatistics(keys, Options).ApInterval(cell);
        Assert.Equal(first, new RowStatistics(keys, Options).ApInterval(cell));
        Assert.NotEqual(first, new RowStatistics(keys, Options with { Seed = 7 }).ApInterval(cell));
    }

    [Fact]
    public void Cells_are_paired_by_image_key_not_by_position()
    {
        var variant = HandBuiltRun.RandomEvaluation(1, Images);
        var baseline = HandBuiltRun.RandomEvaluation(2, Images);
        var (va, vb) = (Latencies(3), Latencies(4));
        var keys = RunKeys(variant);
        var expected = new RowStatistics(keys, Options);
        var v = Cell("v", variant, va);
        var b = Cell("b", baseline, vb);

        // the same evaluations with their images listed in another order, latencies along with them
        var order = Enumerable.Range(0, Images).OrderBy(i => (i * 37) % Images).ToArray();
        CellMeasurements Shuffled(string hash, int seed, double[] medians)
        {
            var evaluation = HandBuiltRun.RandomEvaluation(seed, Images, order);
            return new CellMeasurements(hash, evaluation.Records, [.. order.Select(i => keys[i])], [.. order.Select(i => medians[i])]);
        }
        var sv = Shuffled("v", 1, va);
        var sb = Shuffled("b", 2, vb);
        Assert.NotEqual(keys, RunKeys(HandBuiltRun.RandomEvaluation(1, Images, order)));

        foreach (var (cv, cb) in new[] { (sv, b), (v, sb), (sv, sb) })
        {
            var actual = new RowStatistics(keys, Options);
            Assert.Equal(expected.ApInterval(v), actual.ApInterval(cv));
            Assert.Equal(expected.DeltaAp(v, b), actual.DeltaAp(cv, cb));
            Assert.Equal(expected.SpeedRatio(v, b), actual.SpeedRatio(cv, cb));
        }
    }

    [Fact]
    public void Outputs_with_the_same_hash_are_resampled_once()
    {
        var evaluation = HandBuiltRun.RandomEvaluation(1, Images);
        var baseline = HandBuiltRun.RandomEvaluation(2, Images);
        var statistics = new RowStatistics(RunKeys(evaluation), Options);
        var scalar = Cell("same", evaluation, Latencies(3));
        var simd = Cell("same", evaluation, Latencies(5));
        var nms = Cell("base", baseline, Latencies(4));
        var a = statistics.DeltaAp(scalar, nms);
        var b = statistics.DeltaAp(simd, nms);
        Assert.Equal(a, b);
        Assert.Equal(statistics.ApInterval(scalar), statistics.ApInterval(simd));
        Assert.Equal(2, statistics.DistinctOutputsResampled);
        Assert.NotEqual(statistics.SpeedRatio(scalar, nms), statistics.SpeedRatio(simd, nms)); // latencies are the backend's own
    }

    [Fact]
    public void Cells_that_do_not_cover_the_runs_images_are_refused()
    {
        var evaluation = HandBuiltRun.RandomEvaluation(1, Images);
        var keys = RunKeys(evaluation);
        var statistics = new RowStatistics([.. keys, "0--Hand/extra"], Options);
        var cell = Cell("v", evaluation, Latencies(3));
        Assert.Contains("cover the same images", Assert.Throws<ArgumentException>(() => statistics.ApInterval(cell)).Message);
        Assert.Contains("cover the same images", Assert.Throws<ArgumentException>(() => statistics.SpeedRatio(cell, cell)).Message);
        var stranger = new RowStatistics(keys.Select(k => k + "x").ToArray(), Options);
        Assert.Contains("not one of the run's images", Assert.Throws<ArgumentException>(() => stranger.ApInterval(cell)).Message);
        Assert.Throws<ArgumentException>(() => new RowStatistics(["a", "a"], Options));
    }
}
