using EvalHarness.Datasets;

namespace EvalHarness.Metrics.Statistics;

public enum VerdictOutcome
{
    Supported,
    Refuted,
    Inconclusive,
    /// <summary>No evidence: the variant or backend did not run (n/a) or produced no interval.</summary>
    NotApplicable,
}

/// <summary>The claims the harness tests for each gradient-clipping variant, against the baseline (<c>nms</c>).</summary>
public enum Claim
{
    ImprovesAccuracy,
    ImprovesSpeed,

    /// <summary>Faster than tuned <c>nms</c> at a hard AP within a tolerance of it (sweeps; see <c>Sweeps.MatchedAccuracy</c>).</summary>
    ImprovesSpeedAtMatchedAccuracy,
}

/// <summary>One verdict: which variant, which claim, on which backend ("all" for accuracy), and why.</summary>
public sealed record ClaimVerdict(string Variant, Claim Claim, string Scope, VerdictOutcome Outcome, string Evidence);

/// <summary>
/// Turns intervals into verdicts.
/// <para><b>Accuracy</b> (ΔAP = variant − baseline, one paired-bootstrap interval per setting).
/// A setting is <i>for</i> the claim when its interval lies above 0, <i>against</i> when it lies
/// below 0. Hard is the deciding setting (it counts every face, so it is where candidate handling
/// shows). Supported: hard is for and no setting is against. Refuted: hard is against, or some
/// setting is against and none is for. Everything else (all intervals straddle 0, or the settings
/// disagree without hard being against) is inconclusive.</para>
/// <para><b>Speed</b> (ratio of median latencies variant / baseline on the same backend).
/// Supported: the interval lies below 1; refuted: above 1; inconclusive: contains 1.</para>
/// </summary>
public static class Verdicts
{
    public const string AllBackends = "all";

    public static ClaimVerdict Accuracy(string variant, IReadOnlyDictionary<Setting, Interval>? deltaAp)
    {
        if (deltaAp is null || deltaAp.Count == 0)
        {
            return new ClaimVerdict(variant, Claim.ImprovesAccuracy, AllBackends, VerdictOutcome.NotApplicable, "no ΔAP intervals");
        }
        var forClaim = new List<Setting>();
        var against = new List<Setting>();
        foreach (var setting in SettingExtensions.All)
        {
            if (!deltaAp.TryGetValue(setting, out var interval)) continue;
            if (interval.IsAbove(0)) forClaim.Add(setting);
            else if (interval.IsBelow(0)) against.Add(setting);
        }
        var hardFor = forClaim.Contains(Setting.Hard);
        var hardAgainst = against.Contains(Setting.Hard);
        var outcome = hardFor && against.Count == 0 ? VerdictOutcome.Supported
            : hardAgainst || (against.Count > 0 && forClaim.Count == 0) ? VerdictOutcome.Refuted
            : VerdictOutcome.Inconclusive;
        return new ClaimVerdict(variant, Claim.ImprovesAccuracy, AllBackends, outcome, DescribeAccuracy(deltaAp));
    }

    public static ClaimVerdict Speed(string variant, string backend, Interval? latencyRatio)
    {
        if (latencyRatio is not { } r)
        {
            return new ClaimVerdict(variant, Claim.ImprovesSpeed, backend, VerdictOutcome.NotApplicable, "no latency ratio");
        }
        if (!double.IsFinite(r.Lower) || !double.IsFinite(r.Upper))
        {
            return new ClaimVerdict(variant, Claim.ImprovesSpeed, backend, VerdictOutcome.Inconclusive, $"median latency ratio {Ratio(r.Estimate)}, interval undefined on some resamples");
        }
        var outcome = r.IsBelow(1) ? VerdictOutcome.Supported
            : r.IsAbove(1) ? VerdictOutcome.Refuted
            : VerdictOutcome.Inconclusive;
        var evidence = $"median latency ratio {Ratio(r.Estimate)} [{Ratio(r.Lower)}, {Ratio(r.Upper)}]";
        return new ClaimVerdict(variant, Claim.ImprovesSpeed, backend, outcome, evidence);
    }

    /// <summary>A ratio with three significant digits (0.0100, 0.174, 20.4), as the console's "× nms" column: never 0.01 beside 0.174.</summary>
    internal static string Ratio(double value)
    {
        if (!double.IsFinite(value) || value <= 0) return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(value)), 0, 6);
        return value.ToString("F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Id(this VerdictOutcome outcome) => outcome switch
    {
        VerdictOutcome.Supported => "supported",
        VerdictOutcome.Refuted => "refuted",
        VerdictOutcome.Inconclusive => "inconclusive",
        VerdictOutcome.NotApplicable => "n/a",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static string Id(this Claim claim) => claim switch
    {
        Claim.ImprovesAccuracy => "improves accuracy",
        Claim.ImprovesSpeed => "improves speed",
        Claim.ImprovesSpeedAtMatchedAccuracy => "improves speed at matched accuracy",
        _ => throw new ArgumentOutOfRangeException(nameof(claim)),
    };

    private static string DescribeAccuracy(IReadOnlyDictionary<Setting, Interval> deltaAp)
    {
        var parts = new List<string>(3);
        foreach (var setting in SettingExtensions.All)
        {
            if (deltaAp.TryGetValue(setting, out var i))
            {
                parts.Add($"{setting.Id()} ΔAP {SignedText.Of(i, 4)}");
            }
        }
        return string.Join("; ", parts);
    }
}
