using System.Globalization;
using System.Text;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Sweeps;

/// <summary>report.md of a sweep: the tuned comparison first, then the untuned verdicts, the charts, every configuration, how to reproduce.</summary>
internal static class SweepReport
{
    public static string Render(SweepResults sweep)
    {
        var run = sweep.Run;
        var md = new StringBuilder();
        md.Append("# EvalHarness sweep: ").Append(run.Suite).Append("\n\n");
        md.Append("Dataset: ").Append(run.Dataset).Append('\n');
        if (run.IsSubset) md.Append("\n> **Subset AP**: only part of the set was evaluated; these AP values are not comparable with full-set numbers.\n");
        if (run.Environment is { } env)
        {
            md.Append(CultureInfo.InvariantCulture, $"\nMachine: {env.CpuDescription}, {env.LogicalCores} logical cores, SIMD {(env.SimdWidthBits > 0 ? env.SimdWidthBits + "-bit" : "none")}, {env.DotNetVersion}.");
            if (env.GpuName is not null) md.Append(" GPU ").Append(env.GpuName).Append('.');
            md.Append('\n');
        }
        md.Append(CultureInfo.InvariantCulture, $"\n{sweep.Rows.Select(r => r.Configuration).Distinct().Count()} configurations × {sweep.Rows.Select(r => r.Backend).Distinct().Count()} backends × {sweep.ImageCount} images. Accuracy pass (untimed, parallel over images, on {sweep.AccuracyBackend}): {sweep.AccuracyPass.TotalSeconds:0.0} s; latency pass: {sweep.LatencyPass.TotalSeconds:0.0} s; evaluation, tuning and bootstrap: {sweep.Analysis.TotalSeconds:0.0} s.\n");

        TunedSection(md, sweep);
        UntunedSection(md, sweep);
        ChartsSection(md, sweep);
        ConfigurationsSection(md, sweep);

        md.Append("\n## Reproduce\n\n```sh\n");
        if (run.Environment?.GitCommit is { } commit) md.Append("git checkout ").Append(commit).Append('\n');
        md.Append("./evalharness run --suite suite.json\n```\n");
        md.Append("\nFiles: `sweep.csv` (configuration × backend: family, one column per parameter, AP, latency, on-frontier flag), `tuning.csv` (family, fold, pick, tuning-fold and held-out AP), `pareto.csv`, `summary.csv` and `latency_samples.csv` (keyed by the canonical configuration label, for `compare`), `verdicts.csv`, `env.json`, `suite.json`.\n");
        return md.ToString();
    }

    private static void TunedSection(StringBuilder md, SweepResults sweep)
    {
        md.Append("\n## Tuned comparison\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Each family's parameters are chosen on held-out folds (cross-fitting): images are split into {sweep.Folds.Count} folds {sweep.FoldRule}");
        md.Append(sweep.FoldRule == FoldRules.ByEvent ? " (events by decreasing image count, each into the fold with fewest images; every image of an event in one fold)" : " (image i in fold i mod K)");
        md.Append(CultureInfo.InvariantCulture, $"; for each fold the configuration maximising `{sweep.Objective}` on the other folds (ties: faster on {sweep.TuningBackend}, then canonical order) is applied to it. A family's tuned AP is the AP of those held-out detections over all images; ΔAP is against tuned `nms` with 95% paired-bootstrap intervals over images.\n\n");
        foreach (var fold in sweep.Folds)
        {
            md.Append(CultureInfo.InvariantCulture, $"* fold {fold.Fold}: {fold.Images} images{(fold.Events.Count > 0 ? ": " + string.Join(", ", fold.Events) : "")}\n");
        }

        if (sweep.TunedVerdicts.Count > 0)
        {
            md.Append("\n### Verdicts (tuned)\n\n");
            md.Append("Accuracy: supported when the tuned hard ΔAP interval lies above 0 and no setting's lies below; refuted when hard's lies below. Speed: the 95% interval of the median-latency ratio (tuned family / tuned nms, per image the fold's pick) below 1 supported, above 1 refuted. *At matched accuracy*: the fastest gradient-clipping configuration whose hard AP is within 0.005 of tuned nms, chosen on the tuning folds and checked on the held-out ones.\n\n");
            VerdictTable(md, sweep.TunedVerdicts);
        }

        // Backends without any timing (an absent GPU) would only add empty columns.
        var backends = sweep.Tuned.SelectMany(t => t.Latency).Where(l => l.Latency is not null).Select(l => l.Backend).Distinct().ToList();
        md.Append("\n### Tuned families\n\n| family | pick per fold | AP easy | AP medium | AP hard | ΔAP hard vs tuned nms |");
        foreach (var b in backends) md.Append(' ').Append(b).Append(" median ms | × nms |");
        md.Append("\n|---|---|---:|---:|---:|---|");
        foreach (var _ in backends) md.Append("---:|---|");
        md.Append('\n');
        foreach (var t in sweep.Tuned)
        {
            md.Append("| ").Append(Cell(t.Family)).Append(" | ").Append(Cell(PicksText(t))).Append(" | ");
            if (t.Ap is not { } ap)
            {
                md.Append(Cell(t.Problem ?? "n/a")).Append(" | | | |");
                foreach (var _ in backends) md.Append(" | |");
                md.Append('\n');
                continue;
            }
            md.Append(F(ap.Easy, "0.0000")).Append(" | ").Append(F(ap.Medium, "0.0000")).Append(" | ").Append(F(ap.Hard, "0.0000")).Append(" | ");
            md.Append(t.DeltaAp is { } d ? SignedText.Of(d.Hard, 4) : t.Family == "nms" ? "(baseline)" : "").Append(" |");
            foreach (var b in backends)
            {
                var l = t.Latency.FirstOrDefault(x => x.Backend == b);
                md.Append(' ').Append(F(l?.Latency?.Median, "0.000")).Append(" | ").Append(l?.RatioToNms is { } r ? IntervalText(r, "0.00") : "").Append(" |");
            }
            md.Append('\n');
        }
        var unstable = sweep.Tuned.Where(t => t.Ap is not null && !t.IsStable).Select(t => t.Family).ToList();
        md.Append(unstable.Count > 0
            ? $"\nThe folds chose different configurations for {string.Join(", ", unstable.Select(u => $"`{u}`"))}: {(unstable.Count == 1 ? "its best setting is" : "their best settings are")} not stable across {(sweep.FoldRule == FoldRules.ByEvent ? "events" : "images")} (picks and per-fold AP in tuning.csv).\n"
            : "\nEvery family chose the same configuration in every fold.\n");
    }

    private static void UntunedSection(StringBuilder md, SweepResults sweep)
    {
        if (sweep.UntunedVerdicts.Count == 0) return;
        md.Append("\n## Verdicts (untuned: each family's default configuration against `").Append(sweep.Run.BaselineVariant).Append("`, as a plain run)\n\n");
        VerdictTable(md, sweep.UntunedVerdicts);
    }

    private static void ChartsSection(StringBuilder md, SweepResults sweep)
    {
        var charts = SweepCharts.Plan(sweep);
        if (charts.Count == 0) return;
        md.Append("\n## Charts\n");
        foreach (var chart in charts)
        {
            md.Append("\n### ").Append(chart.Caption).Append("\n\n![").Append(chart.Caption).Append("](").Append(chart.RelativePath).Append(")\n");
        }
    }

    private static void ConfigurationsSection(StringBuilder md, SweepResults sweep)
    {
        md.Append("\n## Every configuration\n\nAP over all images (no selection involved); median and p90 ms per image; ◆ on the backend's Pareto frontier (hard AP vs median ms).\n\n");
        md.Append("| configuration | backend | status | AP easy | AP medium | AP hard | median ms | p90 ms | frontier |\n|---|---|---|---:|---:|---:|---:|---:|---|\n");
        foreach (var row in sweep.Rows)
        {
            md.Append("| ").Append(Cell(row.Configuration)).Append(" | ").Append(row.Backend).Append(" | ");
            md.Append(row.IsOk ? "ok" : $"{row.Status.Id()}: {Cell(row.Reason ?? "")}");
            md.Append(" | ").Append(F(row.Ap?.Easy, "0.0000")).Append(" | ").Append(F(row.Ap?.Medium, "0.0000")).Append(" | ").Append(F(row.Ap?.Hard, "0.0000"));
            md.Append(" | ").Append(F(row.Latency?.Median, "0.000")).Append(" | ").Append(F(row.Latency?.P90, "0.000"));
            md.Append(" | ").Append(row.OnFrontier ? "◆" : "").Append(" |\n");
        }
    }

    private static void VerdictTable(StringBuilder md, IReadOnlyList<ClaimVerdict> verdicts)
    {
        md.Append("| variant | claim | backend | verdict | evidence |\n|---|---|---|---|---|\n");
        foreach (var v in verdicts)
        {
            md.Append("| ").Append(Cell(v.Variant)).Append(" | ").Append(v.Claim.Id()).Append(" | ").Append(Cell(v.Scope))
              .Append(" | **").Append(v.Outcome.Id()).Append("** | ").Append(Cell(v.Evidence)).Append(" |\n");
        }
    }

    internal static string PicksText(TunedFamily t) =>
        t.IsStable && t.Picks.Count > 0 && t.Picks[0] is { } only
            ? $"{only} (all folds)"
            : string.Join("; ", t.Picks.Select((p, f) => $"{f + 1}: {p ?? "none"}"));

    private static string F(double? value, string format) =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string IntervalText(Interval i, string format) =>
        $"{i.Estimate.ToString(format, CultureInfo.InvariantCulture)} [{i.Lower.ToString(format, CultureInfo.InvariantCulture)}, {i.Upper.ToString(format, CultureInfo.InvariantCulture)}]";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
