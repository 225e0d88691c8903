using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using EvalHarness.PostProcessing;

namespace EvalHarness.Reporting;

/// <summary>Derives the verdict table of a run from its rows (see <see cref="Verdicts"/> for the rules).</summary>
internal static class RunVerdicts
{
    /// <summary>
    /// For every gradient-clipping variant: one accuracy verdict from the ΔAP intervals of its
    /// reference-backend row (AP is backend-independent by the equivalence rules; another ok row is
    /// used when the reference did not run), and one speed verdict per backend from its speed ratio.
    /// </summary>
    public static IReadOnlyList<ClaimVerdict> Build(IReadOnlyList<ResultRow> rows, string referenceBackend = RunResults.DefaultReferenceBackend)
    {
        var verdicts = new List<ClaimVerdict>();
        var variants = new List<string>();
        foreach (var row in rows)
        {
            if (!variants.Contains(row.Variant) && IsGradientClipping(row)) variants.Add(row.Variant);
        }
        foreach (var variant in variants)
        {
            ResultRow? accuracyRow = null;
            foreach (var row in rows)
            {
                if (row.Variant != variant || !row.IsOk || row.DeltaAp is null) continue;
                if (accuracyRow is null || row.Backend == referenceBackend) accuracyRow = row;
            }
            verdicts.Add(Verdicts.Accuracy(variant, accuracyRow?.DeltaAp is { } d
                ? new Dictionary<Setting, Interval> { [Setting.Easy] = d.Easy, [Setting.Medium] = d.Medium, [Setting.Hard] = d.Hard }
                : null));
            foreach (var row in rows)
            {
                if (row.Variant != variant) continue;
                verdicts.Add(row.IsOk
                    ? Verdicts.Speed(variant, row.Backend, row.SpeedRatio)
                    : new ClaimVerdict(variant, Claim.ImprovesSpeed, row.Backend, VerdictOutcome.NotApplicable, $"{row.Status.Id()}: {row.Reason}"));
            }
        }
        return verdicts;
    }

    private static bool IsGradientClipping(ResultRow row)
    {
        var text = row.VariantSpec.Length > 0 ? row.VariantSpec : row.Variant;
        return VariantSpec.TryParse(text, out var spec, out _) && spec!.Kind.IsGradientClipping();
    }
}
