using EvalHarness.Datasets;
using EvalHarness.Metrics;
using static EvalHarness.Tests.Metrics.EvalFixtures;

namespace EvalHarness.Tests.Metrics;

public sealed class BreakdownTests
{
    private static readonly IReadOnlyList<BreakdownKind> HeightOnly = [BreakdownKind.Height];

    private static BreakdownBucket Bucket(IReadOnlyList<BreakdownBucket> buckets, string label) => buckets.Single(b => b.Kind == "height" && b.Bucket == label);

    [Fact]
    public void Height_buckets_are_half_open_ranges()
    {
        Assert.Equal(["[0,16)", "[16,32)", "[32,64)", "[64,128)", "[128,inf)"], BreakdownKind.Height.Buckets);
        Assert.Equal(0, BreakdownKind.HeightBucket(0));
        Assert.Equal(0, BreakdownKind.HeightBucket(15.9));
        Assert.Equal(1, BreakdownKind.HeightBucket(16));
        Assert.Equal(3, BreakdownKind.HeightBucket(127));
        Assert.Equal(4, BreakdownKind.HeightBucket(128));
        Assert.Equal(4, BreakdownKind.HeightBucket(5000));
        Assert.Equal(-1, BreakdownKind.HeightBucket(-2));
        Assert.Equal(-1, BreakdownKind.HeightBucket(double.NaN));
    }

    [Fact]
    public void With_every_hard_face_in_one_bucket_that_bucket_is_the_hard_AP_bit_for_bit_and_the_others_are_empty()
    {
        // Heights 20..30, all in [16,32); the medium-only flags and a non-hard face must not matter.
        var gt = Truth(
            Image("0--E", "a", (new GtBox(10, 10, 20, 20), SettingMask.All), (new GtBox(100, 100, 25, 25), SettingMask.Hard), (new GtBox(300, 300, 90, 90), SettingMask.None)),
            Image("0--E", "b", (new GtBox(40, 40, 30, 30), SettingMask.Medium | SettingMask.Hard), (new GtBox(200, 40, 18, 18), SettingMask.Hard)));
        var predictions = Set(
            Preds("0--E", "a", new PredBox(10, 10, 20, 20, 0.9), new PredBox(500, 500, 5, 5, 0.3), new PredBox(101, 100, 25, 25, 0.5), new PredBox(300, 300, 90, 90, 0.8)),
            Preds("0--E", "b", new PredBox(41, 40, 30, 30, 0.7), new PredBox(0, 0, 3, 3, 0.1), new PredBox(200, 41, 18, 18, 0.2)));
        var full = WiderFaceEvaluator.Evaluate(gt, predictions, EvalOptions.Default);

        var buckets = SubsetBreakdown.Compute(gt, predictions, EvalOptions.Default, HeightOnly);

        var all = Bucket(buckets, "[16,32)");
        Assert.Equal(full[Setting.Hard].Faces, all.Faces);
        Assert.Equal(BitConverter.DoubleToInt64Bits(full[Setting.Hard].Ap), BitConverter.DoubleToInt64Bits(all.Ap!.Value));
        foreach (var empty in buckets.Where(b => b.Bucket != "[16,32)"))
        {
            Assert.Equal(0, empty.Faces);
            Assert.Null(empty.Ap);
        }
    }

    [Fact]
    public void A_detection_of_a_face_outside_the_bucket_is_neither_true_nor_false()
    {
        var small = new GtBox(10, 10, 10, 10);
        var large = new GtBox(100, 100, 100, 100);
        var gt = Truth(Image("0--E", "a", (small, SettingMask.Hard), (large, SettingMask.Hard)));
        // Best first: the small face (ignored in the large bucket), then a miss, then the large face.
        var predictions = Set(Preds("0--E", "a", new PredBox(10, 10, 10, 10, 0.9), new PredBox(400, 400, 10, 10, 0.6), new PredBox(100, 100, 100, 100, 0.3)));

        var large64 = Bucket(SubsetBreakdown.Compute(gt, predictions, EvalOptions.Default, HeightOnly), "[64,128)");

        // The same as the hard AP of a ground truth whose small face is not counted at all.
        var onlyLarge = Truth(Image("0--E", "a", (small, SettingMask.None), (large, SettingMask.Hard)));
        var expected = WiderFaceEvaluator.Evaluate(onlyLarge, predictions, EvalOptions.Default)[Setting.Hard];
        Assert.Equal(1, large64.Faces);
        Assert.Equal(expected.Ap, large64.Ap);
        // And not what counting the small-face detection as a false positive would give.
        var asFalsePositive = Truth(Image("0--E", "a", (large, SettingMask.Hard)));
        Assert.NotEqual(WiderFaceEvaluator.Evaluate(asFalsePositive, predictions, EvalOptions.Default)[Setting.Hard].Ap, large64.Ap);
    }

    [Fact]
    public void Faces_outside_the_hard_list_never_count_even_inside_the_bucket()
    {
        var gt = Truth(Image("0--E", "a", (new GtBox(0, 0, 40, 40), SettingMask.None), (new GtBox(100, 0, 40, 40), SettingMask.Hard)));
        var predictions = Set(Preds("0--E", "a", new PredBox(0, 0, 40, 40, 0.9), new PredBox(100, 0, 40, 40, 0.5)));

        var bucket = Bucket(SubsetBreakdown.Compute(gt, predictions, EvalOptions.Default, HeightOnly), "[32,64)");

        Assert.Equal(1, bucket.Faces);
        Assert.Equal(WiderFaceEvaluator.Evaluate(gt, predictions, EvalOptions.Default)[Setting.Hard].Ap, bucket.Ap);
    }

    [Fact]
    public void Attribute_buckets_follow_the_text_annotations_box_by_box()
    {
        var gt = Truth(Image("0--E", "a", (new GtBox(0, 0, 40, 40), SettingMask.Hard), (new GtBox(100, 0, 40, 40), SettingMask.Hard), (new GtBox(200, 0, 40, 40), SettingMask.Hard)));
        var predictions = Set(Preds("0--E", "a", new PredBox(0, 0, 40, 40, 0.9), new PredBox(500, 0, 40, 40, 0.8), new PredBox(200, 0, 40, 40, 0.7)));
        var annotations = new Dictionary<string, FaceAnnotation[]>
        {
            ["a"] =
            [
                new(0, 0, 40, 40, Blur: 2, Expression: 0, Illumination: 0, Invalid: 0, Occlusion: 0, Pose: 0),
                new(100, 0, 40, 40, Blur: 0, Expression: 0, Illumination: 1, Invalid: 0, Occlusion: 1, Pose: 0),
                new(200, 0, 40, 40, Blur: 2, Expression: 1, Illumination: 0, Invalid: 0, Occlusion: 0, Pose: 1),
            ],
        };

        var buckets = SubsetBreakdown.Compute(gt, predictions, EvalOptions.Default, BreakdownKind.Attributes(annotations));

        BreakdownBucket Get(string kind, string bucket) => buckets.Single(b => b.Kind == kind && b.Bucket == bucket);
        Assert.Equal(["blur", "occlusion", "pose", "illumination", "expression"], buckets.Select(b => b.Kind).Distinct());
        Assert.Equal(2, Get("blur", "heavy").Faces);
        Assert.Equal(1, Get("blur", "clear").Faces);
        Assert.Equal(0, Get("blur", "normal").Faces);
        Assert.Null(Get("blur", "normal").Ap);
        // Both heavy-blur faces are found, one before the miss (which matches no face, so it is a false
        // positive in every bucket) and one after it: recall 1/2 at precision 1, then 2/2 at 2/3.
        Assert.Equal(0.5 * 1 + 0.5 * (2.0 / 3), Get("blur", "heavy").Ap!.Value, 12);
        // The clear face (the middle one) is never detected.
        Assert.Equal(0.0, Get("blur", "clear").Ap);
        Assert.Equal(1, Get("pose", "atypical").Faces);
        Assert.Equal(1, Get("expression", "exaggerate").Faces);
        Assert.Equal(1, Get("illumination", "extreme").Faces);
        Assert.Equal(1, Get("occlusion", "partial").Faces);
        Assert.Equal(0, Get("occlusion", "heavy").Faces);
    }
}
