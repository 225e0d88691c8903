using System.Diagnostics;
using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Runs;
using EvalHarness.Sources;

namespace EvalHarness.Benchmarks;

/// <summary>
/// The statistics of a full-val-sized run aggregation, the per-row bootstrap the aggregator used
/// to run (every row resampling its own AP and its baseline's, one resample after another)
/// against <see cref="RowStatistics"/> (resamples drawn once, resampled AP cached per distinct
/// output, resamples in parallel), timed with a Stopwatch in one process so the ratio holds on a
/// shared machine. Rows: the WIDER val ground truth (3226 images) and the public RetinaFace dump cut
/// at <c>variants</c> score thresholds (distinct outputs), each on two backends that agree exactly.
/// Checks that both give the same intervals. Run:
/// <c>dotnet run -c Release --project src/EvalHarness.Benchmarks -- aggregation [variants=10] [resamples=1000] [rounds=2]</c>
/// (needs WIDERFACE_ROOT and WIDERFACE_PREDICTIONS, or the ../shared defaults).
/// </summary>
internal static class AggregationTiming
{
    public static int Run(string[] args)
    {
        var variants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var resamples = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        const int backends = 2;
        var options = new BootstrapOptions { Resamples = resamples };

        var root = DataPaths.ResolveWiderFaceRoot(null) ?? throw new InvalidOperationException("set WIDERFACE_ROOT");
        var predictionRoot = Environment.GetEnvironmentVariable(DataPaths.PredictionsRootVariable) ?? Path.Combine("..", "shared", "predictions");
        var groundTruth = WiderGroundTruthLoader.Load(root);
        var predictions = PredictionFolderReader.ReadPython(Path.Combine(predictionRoot, "retinaface-mnet0.25-selftrained"), lenient: false, new List<string>());
        var outcomes = Outcomes(groundTruth, predictions, variants, backends);
        Console.WriteLine($"{outcomes.Count} images, {variants} variants × {backends} backends = {variants * backends} rows, B = {resamples}, {Environment.ProcessorCount} cores");

        var clock = Stopwatch.StartNew();
        var evaluator = new CellEvaluator(outcomes, groundTruth);
        var cells = new CellSummary[variants * backends];
        for (var c = 0; c < cells.Length; c++) cells[c] = evaluator.Summarise(c);
        var evaluation = clock.Elapsed;
        Console.WriteLine($"evaluation ({evaluator.DistinctEvaluations} distinct outputs): {evaluation.TotalSeconds:0.00} s (the same before and after)");

        // Rounds alternate the three ways, so load from other processes on a shared machine hits
        // them alike; the ratios compare each way's fastest round.
        var best = new[] { TimeSpan.MaxValue, TimeSpan.MaxValue, TimeSpan.MaxValue };
        string[] names = ["before: per-row sequential bootstrap", "after: shared resamples + cached AP, sequential", $"after: shared resamples + cached AP, parallel ({Environment.ProcessorCount} cores)"];
        for (var round = 1; round <= rounds; round++)
        {
            clock.Restart();
            var before = PerRowBootstrap(cells, variants, backends, options);
            var times = new[] { clock.Elapsed, TimeSpan.Zero, TimeSpan.Zero };
            var way = 1;
            foreach (var parallelism in new int?[] { 1, null })
            {
                clock.Restart();
                var after = SharedResamples(evaluator, cells, variants, backends, options, parallelism);
                times[way++] = clock.Elapsed;
                if (!before.SequenceEqual(after)) throw new InvalidOperationException("the intervals differ from the per-row bootstrap");
            }
            Console.WriteLine(FormattableString.Invariant($"round {round}: before {times[0].TotalSeconds:0.00} s, after sequential {times[1].TotalSeconds:0.00} s ({times[0] / times[1]:0.0}×), after parallel {times[2].TotalSeconds:0.00} s ({times[0] / times[2]:0.0}×)"));
            for (var i = 0; i < 3; i++) best[i] = times[i] < best[i] ? times[i] : best[i];
        }
        for (var i = 0; i < 3; i++) Console.WriteLine(FormattableString.Invariant($"fastest {names[i]}: {best[i].TotalSeconds:0.00} s ({best[0] / best[i]:0.0}× the before)"));
        Console.WriteLine("intervals identical: yes");
        return 0;
    }

    private static List<ImageOutcome> Outcomes(GroundTruth groundTruth, PredictionSet predictions, int variants, int backends)
    {
        var rng = new Random(2026);
        var outcomes = new List<ImageOutcome>(groundTruth.Images.Count);
        for (var i = 0; i < groundTruth.Images.Count; i++)
        {
            var image = groundTruth.Images[i];
            var boxes = predictions.TryGet(image.ImageKey, out var found) ? found.Boxes : [];
            var cells = new CellOutcome[variants * backends];
            for (var v = 0; v < variants; v++)
            {
                // variant v keeps the boxes scored ≥ its cut: distinct outputs, as distinct variants give
                var cut = 0.02 + (0.04 * v);
                var kept = new List<float>();
                foreach (var b in boxes)
                {
                    if (b.Score < cut) continue;
                    kept.AddRange([(float)b.X, (float)b.Y, (float)(b.X + b.W), (float)(b.Y + b.H), (float)b.Score]);
                }
                var detections = kept.ToArray();
                for (var k = 0; k < backends; k++)
                {
                    double[] samples = [Latency(rng, v, k), Latency(rng, v, k), Latency(rng, v, k)];
                    cells[(v * backends) + k] = new CellOutcome { Status = CellStatus.Ok, Detections = detections, SamplesMs = samples };
                }
            }
            outcomes.Add(new ImageOutcome
            {
                ImageIndex = i,
                Event = image.Event,
                ImageKey = image.ImageKey,
                CandidateCount = boxes.Length,
                Stages = new StageTimings(0, 0, 0),
                Cells = cells,
            });
        }
        return outcomes;
    }

    private static double Latency(Random rng, int variant, int backend) => (1 + variant) * (backend + 1) * (0.5 + rng.NextDouble());

    /// <summary>What the aggregator did before: each row bootstraps its own AP and its baseline's (variant 0) afresh.</summary>
    private static List<Interval> PerRowBootstrap(CellSummary[] cells, int variants, int backends, BootstrapOptions options)
    {
        var intervals = new List<Interval>();
        for (var v = 0; v < variants; v++)
        {
            for (var b = 0; b < backends; b++)
            {
                var records = cells[(v * backends) + b].Evaluation!.Records;
                var medians = cells[(v * backends) + b].Measurements!.PerImageMedians;
                foreach (var s in SettingExtensions.All) intervals.Add(Bootstrap.Paired(records.ImageCount, w => records.ApWithWeights(s, w), options));
                if (v == 0) continue;
                var baseRecords = cells[b].Evaluation!.Records;
                foreach (var s in SettingExtensions.All)
                {
                    intervals.Add(Bootstrap.PairedDifference(records.ImageCount, w => records.ApWithWeights(s, w), w => baseRecords.ApWithWeights(s, w), options));
                }
                intervals.Add(Bootstrap.MedianRatio(medians, cells[b].Measurements!.PerImageMedians, options));
            }
        }
        return intervals;
    }

    private static List<Interval> SharedResamples(CellEvaluator evaluator, CellSummary[] cells, int variants, int backends, BootstrapOptions options, int? parallelism)
    {
        var statistics = new RowStatistics(evaluator.ImageKeys, options, parallelism);
        var intervals = new List<Interval>();
        for (var v = 0; v < variants; v++)
        {
            for (var b = 0; b < backends; b++)
            {
                var cell = cells[(v * backends) + b].Measurements!;
                var ap = statistics.ApInterval(cell);
                foreach (var s in SettingExtensions.All) intervals.Add(ap[s]);
                if (v == 0) continue;
                var baseline = cells[b].Measurements!;
                var delta = statistics.DeltaAp(cell, baseline);
                foreach (var s in SettingExtensions.All) intervals.Add(delta[s]);
                intervals.Add(statistics.SpeedRatio(cell, baseline));
            }
        }
        return intervals;
    }
}
