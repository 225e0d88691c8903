using System.Globalization;
using System.Text;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting.Charts;
using EvalHarness.Reporting.Csv;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Reporting;

/// <summary>
/// The top-level files of a several-detector run: summary.csv and verdicts.csv (every row of every
/// detector's run, in the per-detector files' schema, whose <c>detector</c> column says whose row it
/// is), the cross-detector charts (<see cref="DetectorCharts"/>), and report.md, which opens with
/// the verdict matrix (variant × detector: the accuracy verdict with hard ΔAP and its interval, and
/// the speed verdict per backend), then the charts, then each detector's AP table with a link to
/// its full report.
/// </summary>
internal static class MultiDetectorReport
{
    public static void Write(string folder, Suite suite, IReadOnlyList<DetectorRun> runs)
    {
        CsvFiles.Write(Path.Combine(folder, ResultFiles.Summary), SummaryRecords(runs));
        CsvFiles.Write(Path.Combine(folder, ResultFiles.Verdicts), VerdictRecords(runs));
        var charts = DetectorCharts.Plan(Finished(runs));
        foreach (var chart in charts)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, chart.RelativePath))!);
            ComparisonCharts.WritePng(Path.Combine(folder, chart.RelativePath), chart.Build());
        }
        AtomicFile.WriteAllText(Path.Combine(folder, ResultFiles.Report), Markdown(suite, runs, charts));
    }

    /// <summary>Every detector's summary rows, in summary.csv's one schema (the detector column names whose they are).</summary>
    internal static IEnumerable<SummaryRecord> SummaryRecords(IReadOnlyList<DetectorRun> runs)
    {
        foreach (var run in Finished(runs))
        {
            var labelled = run.Run with { Detector = run.Detector };
            foreach (var row in labelled.Rows) yield return CsvMapping.ToSummary(labelled, row);
        }
    }

    internal static IEnumerable<VerdictRecord> VerdictRecords(IReadOnlyList<DetectorRun> runs)
    {
        foreach (var run in Finished(runs))
        {
            foreach (var v in run.Run.Verdicts) yield return VerdictsCsvExporter.ToRecord(run.Detector, v);
        }
    }

    /// <summary>The detectors whose run finished, labelled as in the suite.</summary>
    private static List<DetectorResults> Finished(IReadOnlyList<DetectorRun> runs)
    {
        var finished = new List<DetectorResults>(runs.Count);
        foreach (var run in runs)
        {
            if (run.Result.Results is { } results) finished.Add(new DetectorResults(run.Detector.Label, results));
        }
        return finished;
    }

    internal static string Markdown(Suite suite, IReadOnlyList<DetectorRun> runs, IReadOnlyList<ChartSpec>? charts = null)
    {
        var md = new StringBuilder();
        md.Append("# EvalHarness results: ").Append(suite.Name).Append(" (").Append(runs.Count).Append(" detectors)\n\n");
        var first = runs.Select(r => r.Result.Results).FirstOrDefault(r => r is not null);
        if (first is not null && first.Dataset.Length > 0) md.Append("Dataset: ").Append(first.Dataset).Append('\n');
        if (first?.IsSubset == true) md.Append("\n> **Subset AP**: only part of the set was evaluated; these AP values are not comparable with full-set numbers.\n");

        md.Append("\n## Verdict matrix\n\n");
        md.Append("Each detector against its own `nms`. Cell: accuracy verdict (hard ΔAP, 95% interval), then the speed verdict per backend (median-latency ratio). Rules as in each detector's report.\n\n");
        md.Append("| variant |");
        foreach (var run in runs) md.Append(' ').Append(Cell(run.Detector.Label)).Append(" |");
        md.Append("\n|---|");
        foreach (var _ in runs) md.Append("---|");
        md.Append('\n');
        var variants = new List<string>();
        foreach (var run in runs)
        {
            foreach (var v in run.Result.Results?.Verdicts ?? [])
            {
                if (!variants.Contains(v.Variant)) variants.Add(v.Variant);
            }
        }
        foreach (var variant in variants)
        {
            md.Append("| ").Append(Cell(variant)).Append(" |");
            foreach (var run in runs) md.Append(' ').Append(MatrixCell(run, variant)).Append(" |");
            md.Append('\n');
        }

        if (charts is { Count: > 0 })
        {
            md.Append("\n## Across detectors\n\n");
            foreach (var chart in charts)
            {
                // alt text: the caption's subject; the full caption (what bars and whiskers mean) below the image
                var colon = chart.Caption.IndexOf(':', StringComparison.Ordinal);
                var alt = colon > 0 ? chart.Caption[..colon] : chart.Caption;
                md.Append("![").Append(alt).Append("](").Append(chart.RelativePath).Append(")\n\n*").Append(chart.Caption).Append("*\n\n");
            }
        }

        foreach (var run in runs)
        {
            md.Append("\n## ").Append(run.Detector.Label).Append("\n\n");
            if (run.Result.Results is not { } results)
            {
                md.Append("No results (the run did not finish).\n");
                continue;
            }
            md.Append("Full report, CSVs and charts: [").Append(run.Detector.Label).Append("/report.md](").Append(run.Detector.Label).Append("/report.md).\n\n");
            md.Append("| variant | backend | AP easy | AP medium | AP hard | ΔAP hard vs nms [95% CI] | median ms | × nms |\n|---|---|---:|---:|---:|---|---:|---:|\n");
            foreach (var row in results.Rows)
            {
                if (!row.IsOk)
                {
                    md.Append(CultureInfo.InvariantCulture, $"| {Cell(row.Variant)} | {Cell(row.Backend)} | n/a | | | {Cell(row.Reason ?? row.Status.Id())} | | |\n");
                    continue;
                }
                var delta = row.DeltaAp is { } d ? $"{SignedText.Of(d.Hard.Estimate, 4)} [{SignedText.Of(d.Hard.Lower, 3)}, {SignedText.Of(d.Hard.Upper, 3)}]" : "(baseline)";
                md.Append(CultureInfo.InvariantCulture,
                    $"| {Cell(row.Variant)} | {Cell(row.Backend)} | {row.Ap?.Easy:F4} | {row.Ap?.Medium:F4} | {row.Ap?.Hard:F4} | {delta} | {row.Latency?.Median:G3} | {row.SpeedRatio?.Estimate:F2} |\n");
            }
        }
        return md.ToString();
    }

    private static string MatrixCell(DetectorRun run, string variant)
    {
        if (run.Result.Results is not { } results) return "n/a";
        var parts = new List<string>();
        foreach (var v in results.Verdicts)
        {
            if (v.Variant != variant) continue;
            if (v.Claim == Claim.ImprovesAccuracy)
            {
                var row = results.Rows.FirstOrDefault(r => r.Variant == variant && r.IsOk && r.DeltaAp is not null);
                var delta = row?.DeltaAp is { } d ? $" {SignedText.Of(d.Hard, 3)}" : "";
                parts.Insert(0, $"accuracy **{v.Outcome.Id()}**{delta}");
            }
            else if (v.Claim == Claim.ImprovesSpeed)
            {
                var row = results.Find(variant, v.Scope);
                var ratio = row?.SpeedRatio is { } r ? string.Create(CultureInfo.InvariantCulture, $" ×{r.Estimate:0.00}") : "";
                parts.Add($"speed {v.Scope} {v.Outcome.Id()}{ratio}");
            }
        }
        return parts.Count == 0 ? "–" : Cell(string.Join("; ", parts));
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
