using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Tests.Metrics.Statistics;

public class VerdictTests
{
    private static readonly Interval Up = new(0.02, 0.01, 0.03);
    private static readonly Interval Down = new(-0.02, -0.03, -0.01);
    private static readonly Interval Zero = new(0.0, -0.01, 0.01);

    private static Dictionary<Setting, Interval> D(Interval easy, Interval medium, Interval hard) =>
        new() { [Setting.Easy] = easy, [Setting.Medium] = medium, [Setting.Hard] = hard };

    [Fact]
    public void Accuracy_supported_when_hard_improves_and_nothing_worsens()
    {
        Assert.Equal(VerdictOutcome.Supported, Verdicts.Accuracy("gc", D(Zero, Zero, Up)).Outcome);
        Assert.Equal(VerdictOutcome.Supported, Verdicts.Accuracy("gc", D(Up, Up, Up)).Outcome);
    }

    [Fact]
    public void Accuracy_refuted_when_hard_worsens_even_if_easy_improves()
    {
        Assert.Equal(VerdictOutcome.Refuted, Verdicts.Accuracy("gc", D(Up, Zero, Down)).Outcome);
        Assert.Equal(VerdictOutcome.Refuted, Verdicts.Accuracy("gc", D(Down, Zero, Zero)).Outcome);
    }

    [Fact]
    public void Accuracy_inconclusive_when_all_straddle_zero_or_settings_disagree()
    {
        Assert.Equal(VerdictOutcome.Inconclusive, Verdicts.Accuracy("gc", D(Zero, Zero, Zero)).Outcome);
        Assert.Equal(VerdictOutcome.Inconclusive, Verdicts.Accuracy("gc", D(Down, Zero, Up)).Outcome);
        Assert.Equal(VerdictOutcome.Inconclusive, Verdicts.Accuracy("gc", D(Up, Zero, Zero)).Outcome);
    }

    [Fact]
    public void Accuracy_without_intervals_is_not_applicable_and_evidence_names_the_settings()
    {
        Assert.Equal(VerdictOutcome.NotApplicable, Verdicts.Accuracy("gc", null).Outcome);
        var v = Verdicts.Accuracy("gc+nms", D(Zero, Zero, Up));
        Assert.Contains("hard ΔAP +0.0200 [+0.0100, +0.0300]", v.Evidence);
        Assert.Equal("all", v.Scope);
    }

    [Theory]
    [InlineData(0.5, 0.4, 0.6, VerdictOutcome.Supported)]
    [InlineData(1.5, 1.2, 1.8, VerdictOutcome.Refuted)]
    [InlineData(1.0, 0.9, 1.1, VerdictOutcome.Inconclusive)]
    [InlineData(0.95, 0.9, 1.0, VerdictOutcome.Inconclusive)] // touching 1 is not excluding it
    public void Speed_verdict_follows_the_ratio_interval(double estimate, double lower, double upper, VerdictOutcome expected)
    {
        var v = Verdicts.Speed("gc", "simd", new Interval(estimate, lower, upper));
        Assert.Equal(expected, v.Outcome);
        Assert.Equal("simd", v.Scope);
    }

    [Fact]
    public void Speed_without_a_ratio_is_not_applicable()
    {
        Assert.Equal(VerdictOutcome.NotApplicable, Verdicts.Speed("gc", "gpu", null).Outcome);
    }
}

public class RunVerdictsTests
{
    [Fact]
    public void Builds_one_accuracy_and_one_speed_verdict_per_backend_for_gradient_clipping_variants_only()
    {
        var run = EvalHarness.Tests.Reporting.FakeRuns.Create(withGpu: true);
        var rows = run.Rows.Select(r => r with { VariantSpec = r.Variant }).ToList();
        var verdicts = EvalHarness.Reporting.RunVerdicts.Build(rows);
        Assert.Equal(["gc", "gc+nms"], verdicts.Select(v => v.Variant).Distinct());
        Assert.Equal(2, verdicts.Count(v => v.Claim == Claim.ImprovesAccuracy));
        Assert.Equal(6, verdicts.Count(v => v.Claim == Claim.ImprovesSpeed));
        // fake speed ratios are 1+v with ±0.1: slower, so refuted
        Assert.All(verdicts.Where(v => v.Claim == Claim.ImprovesSpeed), v => Assert.Equal(VerdictOutcome.Refuted, v.Outcome));
    }

    [Fact]
    public void A_not_applicable_row_gives_a_not_applicable_speed_verdict()
    {
        var rows = new List<EvalHarness.Reporting.ResultRow>
        {
            new() { Variant = "gc", Backend = "gpu", Status = EvalHarness.Reporting.RowStatus.NotApplicable, Reason = "no device" },
        };
        var verdicts = EvalHarness.Reporting.RunVerdicts.Build(rows);
        Assert.Equal(VerdictOutcome.NotApplicable, verdicts.Single(v => v.Claim == Claim.ImprovesSpeed).Outcome);
        Assert.Equal(VerdictOutcome.NotApplicable, verdicts.Single(v => v.Claim == Claim.ImprovesAccuracy).Outcome);
    }
}
