using System.Globalization;
using System.Text;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting.Charts;

namespace EvalHarness.Reporting;

/// <summary>report.md: verdicts, the summary table, stage timings, the charts (relative links) and how to reproduce.</summary>
internal sealed class MarkdownReportExporter : IRunExporter
{
    public string FileName => ResultFiles.Report;

    public void Export(RunResults run, string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), Render(run, folder));

    public static string Render(RunResults run, string? folder = null)
    {
        var md = new StringBuilder();
        md.Append("# EvalHarness results: ").Append(run.Suite).Append("\n\n");
        if (run.Dataset.Length > 0) md.Append("Dataset: ").Append(run.Dataset).Append('\n');
        if (run.IsSubset) md.Append("\n> **Subset AP**: only part of the set was evaluated; these AP values are not comparable with full-set numbers.\n");
        if (run.Environment is { } env)
        {
            md.Append(CultureInfo.InvariantCulture, $"\nMachine: {env.CpuDescription}, {env.LogicalCores} logical cores, SIMD {(env.SimdWidthBits > 0 ? env.SimdWidthBits + "-bit" : "none")}, {env.DotNetVersion}, ONNX Runtime {env.OnnxRuntimeVersion}");
            if (env.GpuName is not null) md.Append(", GPU ").Append(env.GpuName).Append(env.GpuDriver is null ? "" : $" (driver {env.GpuDriver})");
            else if (env.GpuUnavailable is not null) md.Append(", no GPU (").Append(env.GpuUnavailable).Append(')');
            md.Append(".\n");
        }

        if (run.Verdicts.Count > 0)
        {
            md.Append("\n## Verdicts\n\n");
            md.Append("Against `").Append(run.BaselineVariant).Append("`. Accuracy: supported when the hard ΔAP 95% interval lies above 0 and no setting's lies below; refuted when hard's lies below (or some lie below and none above). Speed: supported when the 95% interval of the median-latency ratio lies below 1, refuted above 1.\n\n");
            md.Append("| variant | claim | backend | verdict | evidence |\n|---|---|---|---|---|\n");
            foreach (var v in run.Verdicts)
            {
                md.Append("| ").Append(Cell(v.Variant)).Append(" | ").Append(v.Claim.Id()).Append(" | ").Append(Cell(v.Scope))
                  .Append(" | **").Append(v.Outcome.Id()).Append("** | ").Append(Cell(v.Evidence)).Append(" |\n");
            }
        }

        md.Append("\n## Summary\n\n");
        md.Append("Latency: post-processing milliseconds per image. ΔAP and speed ratio are against `").Append(run.BaselineVariant).Append("` (same backend), with 95% paired-bootstrap intervals.\n\n");
        foreach (var note in run.LatencyNotes) md.Append("Note: ").Append(note).Append(".\n\n");
        md.Append("| variant | backend | status | AP easy | AP medium | AP hard | ΔAP hard | median ms | p90 ms | speed ratio |\n");
        md.Append("|---|---|---|---:|---:|---:|---|---:|---:|---|\n");
        foreach (var row in run.Rows)
        {
            md.Append("| ").Append(Cell(row.Variant)).Append(" | ").Append(Cell(row.Backend)).Append(" | ");
            md.Append(row.IsOk ? "ok" : $"{row.Status.Id()}: {Cell(row.Reason ?? "")}");
            md.Append(" | ").Append(F(row.Ap?.Easy, "0.0000")).Append(" | ").Append(F(row.Ap?.Medium, "0.0000")).Append(" | ").Append(F(row.Ap?.Hard, "0.0000"));
            md.Append(" | ").Append(row.DeltaAp is { } d ? SignedText.Of(d.Hard, 4) : "");
            md.Append(" | ").Append(F(row.Latency?.Median, "0.000")).Append(" | ").Append(F(row.Latency?.P90, "0.000"));
            md.Append(" | ").Append(row.SpeedRatio is { } r ? IntervalText(r, "0.000") : "").Append(" |\n");
        }

        if (run.Rows.Any(r => HasStages(r.Stages)))
        {
            md.Append("\n## Stages (median ms per image)\n\n");
            md.Append("| variant | backend | decode+preprocess | inference | dense decode | post-processing | gpu transfer | gpu kernel |\n");
            md.Append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            foreach (var row in run.Rows.Where(r => HasStages(r.Stages)))
            {
                var s = row.Stages;
                md.Append("| ").Append(Cell(row.Variant)).Append(" | ").Append(Cell(row.Backend))
                  .Append(" | ").Append(F(s.Decode, "0.000")).Append(" | ").Append(F(s.Inference, "0.000"))
                  .Append(" | ").Append(F(s.DenseDecode, "0.000")).Append(" | ").Append(F(s.PostProcess, "0.000"))
                  .Append(" | ").Append(F(s.GpuTransfer, "0.000")).Append(" | ").Append(F(s.GpuKernel, "0.000")).Append(" |\n");
            }
        }

        AppendBreakdown(md, run);

        var charts = ChartExporter.Plan(run);
        if (charts.Count > 0)
        {
            md.Append("\n## Charts\n");
            foreach (var chart in charts)
            {
                md.Append("\n### ").Append(chart.Caption).Append("\n\n![").Append(chart.Caption).Append("](").Append(chart.RelativePath).Append(")\n");
            }
        }

        // Commands that work as printed from the repository root: this folder's own suite.json, the
        // data root a WIDER suite needs, and a comparison against this very run (which exists).
        var here = folder is null ? "<this results folder>" : RelativeToRepository(folder);
        md.Append("\n## Reproduce\n\nFrom the repository root:\n\n```sh\n");
        if (run.Environment?.GitCommit is { } commit) md.Append("git checkout ").Append(commit).Append('\n');
        md.Append("./evalharness run --suite ").Append(run.SuiteJson is null ? run.Suite : Path.Combine(here, "suite.json"));
        if (run.Dataset.StartsWith("WIDER", StringComparison.Ordinal)) md.Append(" --root \"${WIDERFACE_ROOT:-datasets/widerface}\"");
        md.Append('\n');
        md.Append("./evalharness compare ").Append(here).Append(" results/<the new run's folder>\n```\n");
        md.Append("\nFiles: `summary.csv` (one row per variant × backend), `ap.csv`, `pr_curves.csv`, `latency_samples.csv`, `verdicts.csv`, `scaling.csv`, `breakdown.csv`, `env.json`, `suite.json`, `run.json` (what produced the stored outcomes, and who ran it), `complete.json` (written last: the run finished).\n");
        return md.ToString();
    }

    private static string RelativeToRepository(string folder)
    {
        var full = Path.GetFullPath(folder);
        var repo = IO.DataPaths.FindRepositoryRoot(full);
        return repo is null ? full : Path.GetRelativePath(repo, full);
    }

    /// <summary>AP by face subset, one column per variant (docs/evaluation.md defines the buckets).</summary>
    private static void AppendBreakdown(StringBuilder md, RunResults run)
    {
        var rows = ChartExporter.BreakdownRows(run);
        if (rows.Count == 0) return;
        md.Append("\n## AP by face height and attribute\n\n");
        md.Append("Hard-setting faces within each subset count; all other faces are ignored (a detection of one is neither a true nor a false positive). Height is the box height in pixels.\n\n");
        md.Append("| kind | bucket | faces |");
        foreach (var row in rows) md.Append(' ').Append(Cell(row.Variant)).Append(" |");
        md.Append("\n|---|---|---:|");
        foreach (var _ in rows) md.Append("---:|");
        md.Append('\n');
        var buckets = rows[0].Breakdown!;
        for (var i = 0; i < buckets.Count; i++)
        {
            md.Append("| ").Append(buckets[i].Kind).Append(" | ").Append(buckets[i].Bucket).Append(" | ").Append(buckets[i].Faces.ToString(CultureInfo.InvariantCulture)).Append(" |");
            foreach (var row in rows) md.Append(' ').Append(F(row.Breakdown![i].Ap, "0.0000")).Append(" |");
            md.Append('\n');
        }
    }

    private static bool HasStages(StageLatencies s) =>
        s.Decode is not null || s.Inference is not null || s.DenseDecode is not null || s.PostProcess is not null || s.GpuTransfer is not null || s.GpuKernel is not null;

    private static string F(double? value, string format) =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string IntervalText(Interval i, string format) =>
        $"{i.Estimate.ToString(format, CultureInfo.InvariantCulture)} [{i.Lower.ToString(format, CultureInfo.InvariantCulture)}, {i.Upper.ToString(format, CultureInfo.InvariantCulture)}]";

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
