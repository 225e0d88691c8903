using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Tests.Runs;

/// <summary>The aggregation numbers of <see cref="HandBuiltRun"/>, against the answers worked out there.</summary>
public class RunAggregatorTests
{
    private const int Digits = 12;
    private static readonly string[] ExtraKeys = ["img_c", "img_d"];

    private static RunResults Aggregate(IReadOnlyList<ImageOutcome>? outcomes = null, int? parallelism = null) =>
        RunAggregator.Aggregate(HandBuiltRun.Context(parallelism), outcomes ?? HandBuiltRun.Outcomes());

    private static void AssertInterval(double estimate, double lower, double upper, Interval actual)
    {
        Assert.Equal(estimate, actual.Estimate, Digits);
        Assert.Equal(lower, actual.Lower, Digits);
        Assert.Equal(upper, actual.Upper, Digits);
    }

    [Fact]
    public void Ap_and_its_interval_match_the_hand_worked_answers()
    {
        var run = Aggregate();
        foreach (var backend in new[] { "scalar", "simd" })
        {
            var nms = run.Find("nms", backend)!;
            var fast = run.Find("fast-nms", backend)!;
            foreach (var setting in SettingExtensions.All)
            {
                Assert.Equal(1.0, nms.Ap!.Value[setting], Digits);
                AssertInterval(1, 1, 1, nms.ApInterval!.Value[setting]);
                Assert.Equal(2, nms.Faces!.Value[setting]);
                Assert.Equal(0.25, fast.Ap!.Value[setting], Digits);
                AssertInterval(0.25, 0, 1, fast.ApInterval!.Value[setting]);
            }
        }
    }

    [Fact]
    public void Delta_ap_and_its_paired_interval_match_the_hand_worked_answers()
    {
        var run = Aggregate();
        Assert.Null(run.Find("nms", "scalar")!.DeltaAp);
        foreach (var backend in new[] { "scalar", "simd" })
        {
            var delta = run.Find("fast-nms", backend)!.DeltaAp!.Value;
            foreach (var setting in SettingExtensions.All) AssertInterval(-0.75, -1, 0, delta[setting]);
        }
    }

    [Fact]
    public void Speed_ratio_latency_and_stage_medians_match_the_hand_worked_answers()
    {
        var run = Aggregate();
        var nms = run.Find("nms", "scalar")!;
        var fast = run.Find("fast-nms", "scalar")!;
        Assert.Null(nms.SpeedRatio);
        AssertInterval(2.5 / 3, 0.5, 1, fast.SpeedRatio!.Value);

        // per-image medians 1 and 4 (image a's repeats 0.9, 1, 5 collapse to 1)
        var latency = fast.Latency!.Value;
        Assert.Equal(2, latency.Count);
        Assert.Equal(2.5, latency.Median, Digits);
        Assert.Equal(1 + (0.9 * 3), latency.P90, Digits);
        Assert.Equal(2.5, latency.Mean, Digits);
        Assert.Equal(Math.Sqrt(4.5), latency.Std, Digits);
        Assert.Equal(1, latency.Min);
        Assert.Equal(4, latency.Max);
        Assert.Equal(3, nms.Latency!.Value.Median, Digits);

        // decode 2 and 6, inference never timed, dense decode 1 and 3; post-processing the per-image medians
        Assert.Equal(4, fast.Stages.Decode!.Value, Digits);
        Assert.Null(fast.Stages.Inference);
        Assert.Equal(2, fast.Stages.DenseDecode!.Value, Digits);
        Assert.Equal(2.5, fast.Stages.PostProcess!.Value, Digits);
        Assert.Equal(3, nms.Stages.PostProcess!.Value, Digits);
        Assert.Equal(3, nms.Detections);
        Assert.Equal(3, fast.Detections);
    }

    [Fact]
    public void Scaling_bins_take_the_median_count_and_time_of_each_eighth_decade()
    {
        // 10 and 12 candidates share bin ⌊8·log10⌋ = 8; a third image with 100 candidates gets bin 16, one with none is left out
        var outcomes = HandBuiltRun.Outcomes();
        var (a, b) = (outcomes[0], outcomes[1]);
        ImageOutcome Copy(ImageOutcome o, int index, string key, int candidates) => new()
        {
            ImageIndex = index, Event = o.Event, ImageKey = key, CandidateCount = candidates, Stages = o.Stages, Cells = o.Cells,
        };
        var context = HandBuiltRun.Context() with
        {
            GroundTruth = new GroundTruth
            {
                Source = "hand-built",
                Images = [.. HandBuiltRun.GroundTruth.Images.Take(2), .. ExtraKeys.Select(k => new GroundTruthImage { Event = HandBuiltRun.Event, ImageKey = k, Boxes = [], Counted = [] })],
            },
        };
        var run = RunAggregator.Aggregate(context, [a, b, Copy(b, 2, "img_c", 100), Copy(b, 3, "img_d", 0)]);

        var points = run.Scaling.Where(p => p.Variant == "fast-nms" && p.Backend == "simd").ToList();
        Assert.Equal(2, points.Count);
        Assert.Equal(11, points[0].Candidates); // median(10, 12)
        Assert.Equal(2.5, points[0].MedianMilliseconds, Digits); // median(1, 4)
        Assert.Equal(100, points[1].Candidates);
        Assert.Equal(4, points[1].MedianMilliseconds, Digits);
        Assert.Equal(8, run.Scaling.Count); // 2 variants × 2 backends × 2 bins
    }

    [Fact]
    public void Skipped_images_are_left_out_and_named_in_the_dataset()
    {
        var run = Aggregate();
        Assert.True(run.IsSubset);
        Assert.Equal("hand-built, subset of 2 images (1 of 3 listed images skipped)", run.Dataset);
        Assert.Equal(4, run.Rows.Count);
        Assert.Equal(12, run.PrCurves.Count);
    }

    [Fact]
    public void The_order_of_the_outcomes_and_the_degree_of_parallelism_change_nothing()
    {
        var expected = Aggregate(parallelism: 1);
        var shuffled = HandBuiltRun.Outcomes();
        shuffled.Reverse();
        var actual = Aggregate(shuffled, parallelism: 4);
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Scaling, actual.Scaling);
    }

    [Fact]
    public void Equal_boxes_from_other_candidates_are_another_output()
    {
        // simd keeps the same boxes and scores as scalar, but says they came from other candidates
        var outcomes = HandBuiltRun.Outcomes();
        ImageOutcome WithSimdIndices(ImageOutcome o, int shift) => new()
        {
            ImageIndex = o.ImageIndex, Event = o.Event, ImageKey = o.ImageKey, CandidateCount = o.CandidateCount, Stages = o.Stages,
            Cells = [.. o.Cells.Select((c, i) => new CellOutcome
            {
                Status = c.Status, Detections = c.Detections, SamplesMs = c.SamplesMs,
                FlatIndex = [.. Enumerable.Range(0, c.DetectionCount).Select(d => d + (i % 2 == 1 ? shift : 0))],
            })],
        };
        var same = Aggregate([.. outcomes.Take(2).Select(o => WithSimdIndices(o, 0)), outcomes[2]]);
        var other = Aggregate([.. outcomes.Take(2).Select(o => WithSimdIndices(o, 1)), outcomes[2]]);

        Assert.Equal(same.Find("nms", "scalar")!.DetectionsSha256, same.Find("nms", "simd")!.DetectionsSha256);
        Assert.NotEqual(other.Find("nms", "scalar")!.DetectionsSha256, other.Find("nms", "simd")!.DetectionsSha256);
        Assert.Equal(other.Find("nms", "scalar")!.Ap, other.Find("nms", "simd")!.Ap);
        Assert.NotEqual(Aggregate().Find("nms", "scalar")!.DetectionsSha256, same.Find("nms", "scalar")!.DetectionsSha256);
    }
}
