using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.PostProcessing;
using EvalHarness.Runs;
using EvalHarness.Sources;

namespace EvalHarness.Tests.Runs;

/// <summary>
/// A run small enough to work out by hand. Two images, each with one face (counted in every
/// setting); a third image failed to load. Variant <c>nms</c> (the baseline) finds both faces;
/// <c>fast-nms</c> finds the face of image a and puts its best box beside the face of image b.
/// Image a also holds a low-scored miss in both variants, so both prediction sets span scores
/// 0.5–0.9 and normalise to 0–1 alike.
/// <para>
/// A bootstrap of two images draws (a, a), (a, b) or (b, b), with probability ¼, ½, ¼.
/// fast-nms's AP is 1 on (a, a) (every proposal above the lowest threshold is a hit), 0 on (b, b)
/// (no hit) and 0.25 on (a, b) (recall ½ at precision ½), the original sample. nms's AP is 1 on
/// every resample. With 1000 resamples about 250 land on each extreme, so the 2.5 % and
/// 97.5 % quantiles are the extremes: AP 0.25 [0, 1], ΔAP −0.75 [−1, 0].
/// </para>
/// <para>
/// Latency (per-image medians of the repeats): nms a 2 ms, b 4 ms; fast-nms a 1 ms (repeats 0.9,
/// 1, 5), b 4 ms. Speed ratio = median(1, 4) / median(2, 4) = 2.5 / 3; on (a, a) it is ½, on
/// (b, b) 1: interval [0.5, 1].
/// </para>
/// </summary>
internal static class HandBuiltRun
{
    public const string Event = "0--Hand";

    public static readonly string[] Keys = ["img_a", "img_b", "img_broken"];

    public static readonly RunPlan Plan = new()
    {
        Variants = [VariantSpec.Parse("nms"), VariantSpec.Parse("fast-nms")],
        Backends = ["scalar", "simd"],
        Repeats = 3,
        WarmUp = 0,
    };

    public static GroundTruth GroundTruth { get; } = new()
    {
        Source = "hand-built",
        Images = [.. Keys.Select(k => new GroundTruthImage { Event = Event, ImageKey = k, Boxes = [new GtBox(10, 10, 40, 40)], Counted = [SettingMask.All] })],
    };

    public static AggregationContext Context(int? parallelism = null) => new()
    {
        SuiteName = "hand",
        Dataset = "hand-built",
        Plan = Plan,
        VariantLabels = ["nms", "fast-nms"],
        GroundTruth = GroundTruth,
        BackendDevices = ["cpu", "cpu"],
        BootstrapParallelism = parallelism,
    };

    /// <summary>A box on the face (IoU 1) and one far from it, as the run stores detections (x1, y1, x2, y2, score).</summary>
    public static float[] Hit(float score) => [10, 10, 50, 50, score];

    public static float[] Miss(float score) => [200, 200, 240, 240, score];

    public static List<ImageOutcome> Outcomes()
    {
        CellOutcome Cell(double[] samples, params float[][] boxes) => new() { Status = CellStatus.Ok, Detections = [.. boxes.SelectMany(b => b)], SamplesMs = samples };
        ImageOutcome Image(int index, int candidates, StageTimings stages, CellOutcome nms, CellOutcome fast) => new()
        {
            ImageIndex = index,
            Event = Event,
            ImageKey = Keys[index],
            CandidateCount = candidates,
            Stages = stages,
            Cells = [nms, nms, fast, fast], // [variant * 2 + backend]: both backends agree exactly
        };
        return
        [
            Image(0, 10, new StageTimings(2, 0, 1), Cell([2, 2, 2], Hit(0.9f), Miss(0.5f)), Cell([0.9, 1, 5], Hit(0.9f), Miss(0.5f))),
            Image(1, 12, new StageTimings(6, 0, 3), Cell([4, 4, 4], Hit(0.9f)), Cell([4, 4, 4], Miss(0.9f))),
            new ImageOutcome { ImageIndex = 2, Event = Event, ImageKey = Keys[2], Error = "corrupt JPEG" },
        ];
    }

    /// <summary>
    /// A random evaluation of <paramref name="images"/> images (1–4 faces each, detections near and
    /// away from them), with the ground truth listed in <paramref name="order"/> (null: as drawn).
    /// </summary>
    public static EvaluationResult RandomEvaluation(int seed, int images, int[]? order = null)
    {
        var rng = new Random(seed);
        var gt = new List<GroundTruthImage>();
        var predictions = new PredictionSet { Source = "random" };
        for (var i = 0; i < images; i++)
        {
            var key = $"img_{i}";
            var faces = new GtBox[1 + rng.Next(4)];
            var boxes = new List<PredBox>();
            for (var f = 0; f < faces.Length; f++)
            {
                var (x, y, w) = (rng.Next(0, 400), rng.Next(0, 400), rng.Next(8, 60));
                faces[f] = new GtBox(x, y, w, w);
                // Many hits at the top score: a resample without one would have no proposal at the first threshold (AP NaN).
                if (rng.NextDouble() < 0.7) boxes.Add(new PredBox(x + rng.Next(-3, 4), y + rng.Next(-3, 4), w, w, rng.NextDouble() < 0.4 ? 1.0 : Math.Round(rng.NextDouble(), 3)));
            }
            for (var m = rng.Next(3); m > 0; m--) boxes.Add(new PredBox(rng.Next(500, 600), rng.Next(500, 600), 20, 20, Math.Round(rng.NextDouble(), 3)));
            gt.Add(new GroundTruthImage { Event = Event, ImageKey = key, Boxes = faces, Counted = [.. faces.Select(_ => SettingMask.All)] });
            predictions.Set(new ImagePredictions { Event = Event, ImageKey = key, Boxes = [.. boxes] });
        }
        var listed = order is null ? gt : [.. order.Select(i => gt[i])];
        return WiderFaceEvaluator.Evaluate(new GroundTruth { Source = "random", Images = listed }, predictions, EvalOptions.Default);
    }

    public static string KeyOf(GroundTruthImage image) => CellMeasurements.KeyOf(image.Event, image.ImageKey);

    public static BootstrapOptions Resamples(int count) => new() { Resamples = count };
}
