using EvalHarness.Datasets;
using EvalHarness.Metrics;
using static EvalHarness.Tests.Metrics.EvalFixtures;

namespace EvalHarness.Tests.Metrics;

/// <summary>The port's documented behaviours, each on a tiny hand-made case whose counts can be worked out by hand.</summary>
public sealed class EvaluatorBehaviourTests
{
    private static readonly EvalOptions Python = EvalOptions.Default;
    private static readonly EvalOptions Matlab = new() { Protocol = EvalProtocol.Matlab };

    /// <summary>Threshold index 100 is 0.899: scores 0.9 and above count there, 0.6 does not.</summary>
    private const int High = 100;
    private const int Last = 999;

    private static GroundTruthImage OneFace(string key = "img_1", SettingMask counted = SettingMask.All) =>
        Image("0--E", key, (new GtBox(10, 10, 20, 20), counted));

    /// <summary>
    /// Evaluates with an extra face-less image whose predictions score 0 and 1, so both protocols
    /// normalise with min 0 and max 1 (the identity) and the test's scores are the thresholds' scores.
    /// </summary>
    private static EvaluationResult Eval(GroundTruthImage[] images, ImagePredictions[] predictions, EvalOptions options)
    {
        var anchor = Image("0--E", "anchor");
        var anchorPredictions = Preds("0--E", "anchor", new PredBox(500, 500, 5, 5, 1.0), new PredBox(600, 600, 5, 5, 0.0));
        return WiderFaceEvaluator.Evaluate(Truth([.. images, anchor]), Set([.. predictions, anchorPredictions]), options);
    }

    [Fact]
    public void Plus_one_pixel_IoU_decides_a_match_exactly_at_one_half()
    {
        // 2x2 boxes one pixel apart: with the +1 convention the intersection is 2*3=6 and the union
        // 9+9-6=12, IoU exactly 0.5 (a match); without it the IoU would be 1/3.
        GroundTruthImage[] gt = [Image("0--E", "a", (new GtBox(0, 0, 2, 2), SettingMask.All))];
        var hit = Eval(gt, [Preds("0--E", "a", new PredBox(1, 0, 2, 2, 0.9))], Python)[Setting.Easy];
        var miss = Eval(gt, [Preds("0--E", "a", new PredBox(2, 0, 2, 2, 0.9))], Python)[Setting.Easy];

        Assert.Equal(1.0, hit.Recall[Last]);
        Assert.Equal(1.0, hit.Ap);
        Assert.Equal(0.0, miss.Recall[Last]);
        Assert.Equal(0.0, miss.Ap);
    }

    [Fact]
    public void A_duplicate_of_a_matched_face_is_a_false_positive()
    {
        var result = Eval([OneFace()], [Preds("0--E", "img_1", new PredBox(10, 10, 20, 20, 0.9), new PredBox(11, 10, 20, 20, 0.8))], Python)[Setting.Hard];

        // Both predictions are proposals and only one is a true positive.
        Assert.Equal(1.0, result.Precision[High]);
        Assert.Equal(0.5, result.Precision[Last]);
        Assert.Equal(1.0, result.Recall[Last]);
    }

    [Fact]
    public void A_prediction_best_matching_an_ignored_face_is_dropped_even_if_it_overlaps_a_counted_face()
    {
        // Box 0 counts only in hard, box 1 in every setting. The prediction sits exactly on box 0
        // and overlaps box 1 with IoU 0.83, but box 0 is its best match.
        GroundTruthImage[] gt = [Image("0--E", "img_1", (new GtBox(10, 10, 20, 20), SettingMask.Hard), (new GtBox(12, 10, 20, 20), SettingMask.All))];
        var result = Eval(gt, [Preds("0--E", "img_1", new PredBox(10, 10, 20, 20, 0.9))], Python);

        // easy: dropped, so no proposal (0/0 precision) and box 1 stays unmatched.
        Assert.True(double.IsNaN(result[Setting.Easy].Precision[Last]));
        Assert.Equal(0.0, result[Setting.Easy].Recall[Last]);
        Assert.Equal(1, result[Setting.Easy].Faces);
        // hard: box 0 counts, so the prediction is its true positive.
        Assert.Equal(1.0, result[Setting.Hard].Precision[Last]);
        Assert.Equal(0.5, result[Setting.Hard].Recall[Last]);
        Assert.Equal(2, result[Setting.Hard].Faces);
    }

    [Fact]
    public void Images_without_predictions_still_add_their_faces()
    {
        var result = Eval([OneFace("img_1"), OneFace("img_2")],
            [Preds("0--E", "img_1", new PredBox(10, 10, 20, 20, 0.9)), Preds("0--E", "img_2")], Python)[Setting.Medium];

        Assert.Equal(2, result.Faces);
        Assert.Equal(0.5, result.Recall[Last]);
        Assert.Equal(1.0, result.Precision[Last]);
        Assert.Equal(0.5, result.Ap);
    }

    [Fact]
    public void Python_follows_line_order_and_matlab_sorts_by_score()
    {
        // A weak duplicate written before the strong exact box: in file order it takes the match
        // and the strong box becomes the false positive; matlab sorts it behind.
        GroundTruthImage[] gt = [Image("0--E", "img_1", (new GtBox(10, 10, 20, 20), SettingMask.All), (new GtBox(100, 100, 20, 20), SettingMask.All))];
        ImagePredictions[] predictions = [Preds("0--E", "img_1",
            new PredBox(11, 10, 20, 20, 0.30),
            new PredBox(10, 10, 20, 20, 0.95),
            new PredBox(100, 100, 20, 20, 0.60))];
        var python = Eval(gt, predictions, Python)[Setting.Easy];
        var matlab = Eval(gt, predictions, Matlab)[Setting.Easy];

        // python: at 0.899 the last counted line is the 0.95 one (index 1), which includes the
        // 0.30 line before it: 2 proposals, 1 true positive.
        Assert.Equal(0.5, python.Precision[High]);
        // matlab (0.95, 0.60, 0.30): only the 0.95 line counts there.
        Assert.Equal(1.0, matlab.Precision[High]);
        Assert.Equal(1.0, python.Recall[Last]);
        Assert.Equal(1.0, matlab.Recall[Last]);
        Assert.NotEqual(python.Ap, matlab.Ap);
    }

    [Fact]
    public void Matlab_sorts_in_memory_predictions_stably_with_NaN_first()
    {
        // Same boxes in two orders that the stable sort maps to the same sequence give the same curve.
        GroundTruthImage[] gt = [Image("0--E", "img_1", (new GtBox(10, 10, 20, 20), SettingMask.All), (new GtBox(100, 100, 20, 20), SettingMask.All))];
        PredBox exact = new(10, 10, 20, 20, 0.7), duplicate = new(11, 10, 20, 20, 0.7), other = new(100, 100, 20, 20, 0.9);
        var a = Eval(gt, [Preds("0--E", "img_1", exact, other, duplicate)], Matlab)[Setting.Easy];
        var b = Eval(gt, [Preds("0--E", "img_1", other, exact, duplicate)], Matlab)[Setting.Easy];
        var c = Eval(gt, [Preds("0--E", "img_1", duplicate, other, exact)], Matlab)[Setting.Easy];

        Assert.Equal(a.Precision, b.Precision);
        Assert.Equal(a.Ap, b.Ap);
        // With the duplicate first among equal scores, it takes the match instead of the exact box: same counts.
        Assert.Equal(a.Precision, c.Precision);
    }

    [Fact]
    public void Matlab_puts_NaN_scores_first_so_a_NaN_box_takes_its_face_before_every_scored_box()
    {
        // Two faces; a NaN box on face 1, a 0.9 box on face 2 and a 0.7 duplicate of face 1.
        // NaN first: at 0.899 the counted prefix is [NaN, 0.9], and the NaN box has already matched face 1,
        // so recall there is 2/2. Were NaN sorted last (or dropped), only face 2 would be found there: 1/2.
        GroundTruthImage[] gt = [Image("0--E", "img_1", (new GtBox(10, 10, 20, 20), SettingMask.All), (new GtBox(100, 100, 20, 20), SettingMask.All))];
        PredBox nan = new(10, 10, 20, 20, double.NaN), face2 = new(100, 100, 20, 20, 0.9), duplicate = new(11, 10, 20, 20, 0.7);
        PredBox[][] orders = [[face2, duplicate, nan], [nan, face2, duplicate], [duplicate, nan, face2], [face2, nan, duplicate]];
        var first = Eval(gt, [Preds("0--E", "img_1", orders[0])], Matlab)[Setting.Easy];

        Assert.Equal(1.0, first.Recall[High]);
        // Proposals at 0.899 (the face-less anchor image is not evaluated): the NaN box and the 0.9 box, both hits.
        Assert.Equal(1.0, first.Precision[High]);
        foreach (var order in orders[1..])
        {
            var other = Eval(gt, [Preds("0--E", "img_1", order)], Matlab)[Setting.Easy];
            Assert.Equal(first.Recall, other.Recall);
            Assert.Equal(first.Precision, other.Precision);
            Assert.Equal(first.Ap, other.Ap);
        }
    }

    [Fact]
    public void Python_normalisation_starts_from_zero_and_one_and_includes_every_image_read()
    {
        var gt = Truth(OneFace());
        var predictions = Set(
            Preds("0--E", "img_1", new PredBox(10, 10, 20, 20, 3.0), new PredBox(200, 200, 5, 5, 2.0)),
            Preds("9--Other", "not_in_ground_truth", new PredBox(0, 0, 5, 5, 10.0)));
        var python = WiderFaceEvaluator.Evaluate(gt, predictions, Python);
        var matlab = WiderFaceEvaluator.Evaluate(gt, predictions, Matlab);

        // python: min starts at 1 (all scores are above it) and the extra image's 10 is the max.
        Assert.Equal((1.0, 10.0), (python.ScoreMin, python.ScoreMax));
        // matlab: the true range over ground-truth images only.
        Assert.Equal((2.0, 3.0), (matlab.ScoreMin, matlab.ScoreMax));
    }

    [Fact]
    public void A_single_score_value_normalises_to_NaN_and_never_counts_like_the_port()
    {
        // max - min = 0, so (s - min) / 0 is NaN and no threshold is reached.
        var result = WiderFaceEvaluator.Evaluate(Truth(OneFace()), Set(Preds("0--E", "img_1", new PredBox(10, 10, 20, 20, 1.0))), Python);

        Assert.Equal(0.0, result[Setting.Easy].Ap);
        Assert.All(result[Setting.Easy].Recall, r => Assert.Equal(0.0, r));
    }

    [Fact]
    public void Missing_predictions_for_a_ground_truth_image_stop_the_python_protocol_unless_lenient()
    {
        var gt = Truth(OneFace("img_1"), OneFace("img_2"));
        var predictions = Set(Preds("0--E", "img_1", new PredBox(10, 10, 20, 20, 0.9), new PredBox(50, 50, 20, 20, 0.1)));

        var error = Assert.Throws<EvalHarness.IO.EvalHarnessException>(() => WiderFaceEvaluator.Evaluate(gt, predictions, Python));
        Assert.Contains("img_2", error.Message);

        var lenient = WiderFaceEvaluator.Evaluate(gt, predictions, Python with { Lenient = true });
        Assert.Single(lenient.Warnings);
        Assert.Equal(2, lenient[Setting.Easy].Faces);
        Assert.Equal(0.5, lenient[Setting.Easy].Recall[Last]);
    }
}
