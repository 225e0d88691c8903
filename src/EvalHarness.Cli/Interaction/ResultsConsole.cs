using System.Globalization;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Cli.Interaction;

/// <summary>The summary and verdict tables of <c>run</c> and <c>merge</c> as plain text (readable in CI logs and on a terminal alike).</summary>
internal static class ResultsConsole
{
    /// <summary>A speed ratio with three significant digits: 20.4, 1.00, 0.380, 0.00360 (never "0.00" for a real ratio).</summary>
    internal static string Ratio(double value)
    {
        if (!double.IsFinite(value) || value <= 0) return "n/a";
        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(value)), 0, 6);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }


    public static void Print(CliOutput output, RunResults run, bool rows = true)
    {
        var ci = CultureInfo.InvariantCulture;
        output.Line();
        output.Line($"{run.Suite}: {run.Dataset}{(run.IsSubset ? " — subset AP, not comparable with full-set numbers" : "")}");
        // Without an nms row there is nothing to compare with: say so instead of calling every row the baseline.
        var hasNms = run.Rows.Any(r => r.Variant == "nms" || r.Variant.StartsWith("nms(", StringComparison.Ordinal));
        output.Line($"{"variant",-20} {"backend",-7} {"AP easy",8} {"medium",8} {"hard",8} {"ΔAP hard [95% CI]",-26} {"median ms",10} {"p90 ms",8} {"× nms",7}");
        foreach (var row in rows ? run.Rows : [])
        {
            if (!row.IsOk)
            {
                output.Line($"{row.Variant,-20} {row.Backend,-7} {row.Status.Id()}: {row.Reason}");
                continue;
            }
            var ap = row.Ap!.Value;
            var delta = row.DeltaAp is { } d ? SignedText.Of(d.Hard, 4) : hasNms ? "(baseline)" : "n/a (no nms)";
            var ratio = row.SpeedRatio is { } r ? Ratio(r.Estimate) : hasNms ? "1.00" : "n/a";
            output.Line(string.Format(ci, "{0,-20} {1,-7} {2,8:0.0000} {3,8:0.0000} {4,8:0.0000} {5,-26} {6,10:0.000} {7,8:0.000} {8,7}",
                row.Variant, row.Backend, ap.Easy, ap.Medium, ap.Hard, delta, row.Latency!.Value.Median, row.Latency!.Value.P90, ratio));
        }
        foreach (var note in run.LatencyNotes) output.Line($"note: {note}");
        if (run.Verdicts.Count == 0) return; // no gradient-clipping variant (or no nms): nothing to judge
        output.Line();
        output.Line("verdicts on the article's claims (gradient clipping vs nms):");
        foreach (var v in run.Verdicts)
        {
            output.Line($"  {v.Variant,-12} {Verdicts.Id(v.Claim),-18} {v.Scope,-8} {Verdicts.Id(v.Outcome),-13} {v.Evidence}");
        }
    }
}
