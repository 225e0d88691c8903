using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Sweeps;

namespace EvalHarness.Tests.Sweeps;

public sealed class FoldAssignmentTests
{
    private static readonly string[] Events =
        ["0--Parade", "0--Parade", "1--Handshaking", "2--Demo", "0--Parade", "3--Riot", "2--Demo", "4--Dancing", "1--Handshaking", "0--Parade", "3--Riot"];

    [Fact]
    public void Every_image_of_an_event_is_in_one_fold_and_every_image_in_exactly_one_fold()
    {
        foreach (var k in new[] { 2, 3, 5 })
        {
            var folds = FoldAssignment.ByEvent(Events, k);
            Assert.Equal(Events.Length, folds.Length);
            Assert.All(folds, f => Assert.InRange(f, 0, k - 1));
            foreach (var group in Events.Select((e, i) => (e, f: folds[i])).GroupBy(x => x.e))
            {
                Assert.Single(group.Select(x => x.f).Distinct());
            }
            var members = FoldAssignment.Members(folds, k);
            Assert.Equal(Enumerable.Range(0, Events.Length), members.SelectMany(m => m).Order());
            Assert.All(members, m => Assert.NotEmpty(m));
        }
    }

    [Fact]
    public void The_assignment_is_deterministic_balanced_and_independent_of_image_order()
    {
        // Parade 4 images → fold 0 (4/0); the 2-image events in name order: Handshaking → 1 (4/2),
        // Demo → 1 (4/4), Riot → 0 on the tie (6/4); Dancing (1 image) → 1 (6/5).
        var folds = FoldAssignment.ByEvent(Events, 2);
        var byEvent = Events.Select((e, i) => (e, folds[i])).Distinct().ToDictionary(x => x.e, x => x.Item2);
        Assert.Equal(0, byEvent["0--Parade"]);
        Assert.Equal(1, byEvent["2--Demo"]);
        Assert.Equal(1, byEvent["1--Handshaking"]);
        Assert.Equal(0, byEvent["3--Riot"]);
        Assert.Equal(1, byEvent["4--Dancing"]);
        Assert.Equal(folds, FoldAssignment.ByEvent(Events, 2));

        var reversed = Events.Reverse().ToArray();
        var foldsReversed = FoldAssignment.ByEvent(reversed, 2);
        for (var i = 0; i < reversed.Length; i++) Assert.Equal(byEvent[reversed[i]], foldsReversed[i]);
    }

    [Fact]
    public void By_image_is_round_robin_and_too_many_folds_are_refused()
    {
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], FoldAssignment.ByImage(7, 3));
        Assert.Contains("only 5 events", Assert.Throws<UsageException>(() => FoldAssignment.ByEvent(Events, 6)).Message, StringComparison.Ordinal);
        Assert.Contains("at least 2 folds", Assert.Throws<UsageException>(() => FoldAssignment.ByImage(7, 1)).Message, StringComparison.Ordinal);
    }
}

public sealed class CrossFittingTests
{
    [Fact]
    public void Each_fold_uses_the_pick_of_the_other_folds_even_when_the_in_sample_best_differs()
    {
        // Hard AP of three configurations on fold 0's and fold 1's images. Over all images "b" is
        // best (0.70 mean), but on fold 0's images alone "a" wins and on fold 1's "c" wins.
        string[] labels = ["a", "b", "c"];
        double[,] apOnFold = { { 0.80, 0.70, 0.50 }, { 0.55, 0.70, 0.75 } };
        double inSampleBest = Enumerable.Range(0, 3).MaxBy(c => apOnFold[0, c] + apOnFold[1, c]);
        Assert.Equal(1, inSampleBest);

        // With two folds, fold f is tuned on the other fold's images.
        var picks = CrossFitting.PickPerFold(3, 2, (c, f) => new TuningCandidate(labels[c], apOnFold[1 - f, c], 1.0));
        Assert.Equal([2, 0], picks); // fold 0 gets c (best on fold 1), fold 1 gets a (best on fold 0)
        var heldOut = (apOnFold[0, picks[0]] + apOnFold[1, picks[1]]) / 2;
        Assert.Equal(0.525, heldOut, 12); // honest: below the in-sample best's 0.70 and every in-sample pick
        Assert.Equal([2, 0, 2, 0], CrossFitting.ConfigurationPerImage([0, 1, 0, 1], picks));
    }

    [Fact]
    public void Ties_go_to_the_faster_then_to_the_canonical_order()
    {
        Assert.Equal(1, CrossFitting.Best([new("nms(score=0.02,iou=0.3)", 0.5, 2.0), new("nms(score=0.02,iou=0.4)", 0.5, 1.0), new("nms(score=0.02,iou=0.5)", 0.4, 0.1)]));
        Assert.Equal(1, CrossFitting.Best([new("nms(score=0.02,iou=0.5)", 0.5, 1.0), new("nms(score=0.02,iou=0.4)", 0.5, 1.0)]));
        Assert.Equal(0, CrossFitting.Best([new("b", 0.5, 1.0), new("a", 0.5, double.NaN)]));
        Assert.Equal(1, CrossFitting.Best([new("a", double.NaN, 0.1), new("b", 0.1, 9)]));
        Assert.Equal(-1, CrossFitting.Best([new("a", double.NaN, 0.1)]));
    }

    [Fact]
    public void A_latency_bound_makes_slow_configurations_ineligible()
    {
        var objective = TuningObjective.Parse("hard-ap@latency<=0.5");
        Assert.Equal(ObjectiveKind.HardApUnderLatency, objective.Kind);
        Assert.Equal(0.4, objective.Score(0.9, 0.8, 0.4, 0.5));
        Assert.True(double.IsNaN(objective.Score(0.9, 0.8, 0.6, 0.51)));
        Assert.Equal(0.7, TuningObjective.Parse("mean-ap").Score(0.9, 0.8, 0.4, 9), 12);
        Assert.Equal("hard-ap@latency<=0.5", objective.ToString());
        Assert.Throws<UsageException>(() => TuningObjective.Parse("hard-ap@latency<=-1"));
        Assert.Throws<UsageException>(() => TuningObjective.Parse("ap"));
    }
}

public sealed class ParetoFrontierTests
{
    [Fact]
    public void Dominated_points_are_off_and_the_frontier_rises_with_time()
    {
        ParetoPoint[] points =
        [
            new(1.0, 0.40), // on: fastest
            new(2.0, 0.35), // dominated by the first
            new(3.0, 0.50), // on
            new(3.0, 0.45), // same time, less accurate: dominated
            new(4.0, 0.50), // same AP, slower: dominated
            new(5.0, 0.60), // on
            new(0.5, 0.10), // on: fastest of all
        ];
        Assert.Equal([true, false, true, false, false, true, true], ParetoFrontier.OnFrontier(points));
        Assert.Equal([6, 0, 2, 5], ParetoFrontier.FrontierInOrder(points));
    }

    [Fact]
    public void Identical_points_both_stay_on_and_one_point_is_its_own_frontier()
    {
        Assert.Equal([true, true, false], ParetoFrontier.OnFrontier([new(1, 0.5), new(1, 0.5), new(1, 0.4)]));
        Assert.Equal([true], ParetoFrontier.OnFrontier([new(3, 0.2)]));
        Assert.Equal([false, true], ParetoFrontier.OnFrontier([new(double.NaN, 0.9), new(3, 0.2)]));
        Assert.Empty(ParetoFrontier.OnFrontier([]));
    }
}

public sealed class MatchedAccuracyTests
{
    private static readonly string[] Labels = ["gc+nms(r=1)", "gc+nms(r=2)", "gc(r=1)"];

    [Fact]
    public void The_fastest_configuration_within_the_tolerance_is_picked_on_the_tuning_images()
    {
        // On each fold's tuning images: (hard AP, ms).
        (double Ap, double Ms)[,] onTuning =
        {
            { (0.480, 0.05), (0.496, 0.08), (0.20, 0.01) },
            { (0.470, 0.05), (0.492, 0.09), (0.20, 0.01) },
        };
        double[] nmsAp = [0.50, 0.49];
        var picks = MatchedAccuracy.PickPerFold(3, 2, (c, f) => new TuningCandidate(Labels[c], onTuning[f, c].Ap, onTuning[f, c].Ms), f => nmsAp[f]);
        // Fold 0: only r=2 reaches 0.50 − 0.005; fold 1: r=1's 0.470 misses 0.485, so r=2 again.
        Assert.Equal([1, 1], picks);

        nmsAp = [0.48, 0.47];
        picks = MatchedAccuracy.PickPerFold(3, 2, (c, f) => new TuningCandidate(Labels[c], onTuning[f, c].Ap, onTuning[f, c].Ms), f => nmsAp[f]);
        Assert.Equal([0, 0], picks); // both match; r=1 is faster

        nmsAp = [0.60, 0.47];
        picks = MatchedAccuracy.PickPerFold(3, 2, (c, f) => new TuningCandidate(Labels[c], onTuning[f, c].Ap, onTuning[f, c].Ms), f => nmsAp[f]);
        Assert.Equal([-1, 0], picks); // nothing matches on fold 0's tuning images
    }

    [Fact]
    public void Equal_speed_goes_to_the_more_accurate_then_canonical_order()
    {
        var picks = MatchedAccuracy.PickPerFold(3, 1, (c, _) => c switch
        {
            0 => new TuningCandidate("b", 0.50, 1),
            1 => new TuningCandidate("c", 0.51, 1),
            _ => new TuningCandidate("a", 0.51, 1),
        }, _ => 0.5);
        Assert.Equal([2], picks);
    }

    [Fact]
    public void The_verdict_states_when_no_configuration_matches_and_otherwise_follows_the_latency_interval()
    {
        var none = MatchedAccuracy.Verdict("gradient clipping", "simd", 0.50, null, null);
        Assert.Equal(VerdictOutcome.Refuted, none.Outcome);
        Assert.Equal(Claim.ImprovesSpeedAtMatchedAccuracy, none.Claim);
        Assert.Contains("no configuration matches the accuracy", none.Evidence, StringComparison.Ordinal);

        var heldOutShort = MatchedAccuracy.Verdict("gradient clipping", "simd", 0.50, 0.494, new Interval(0.2, 0.1, 0.3));
        Assert.Equal(VerdictOutcome.Refuted, heldOutShort.Outcome);
        Assert.Contains("no configuration matches the accuracy", heldOutShort.Evidence, StringComparison.Ordinal);

        Assert.Equal(VerdictOutcome.Supported, MatchedAccuracy.Verdict("g", "simd", 0.50, 0.4951, new Interval(0.2, 0.1, 0.3)).Outcome);
        Assert.Equal(VerdictOutcome.Refuted, MatchedAccuracy.Verdict("g", "simd", 0.50, 0.51, new Interval(1.3, 1.1, 1.5)).Outcome);
        Assert.Equal(VerdictOutcome.Inconclusive, MatchedAccuracy.Verdict("g", "simd", 0.50, 0.51, new Interval(0.9, 0.8, 1.1)).Outcome);
        Assert.Equal(VerdictOutcome.NotApplicable, MatchedAccuracy.Verdict("g", "gpu", 0.50, 0.51, null).Outcome);
        Assert.Equal("improves speed at matched accuracy", Claim.ImprovesSpeedAtMatchedAccuracy.Id());
    }
}
