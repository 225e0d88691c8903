using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using ScottPlot;

namespace EvalHarness.Reporting.Charts;

/// <summary>One detector's results as the cross-detector charts see them.</summary>
internal sealed record DetectorResults(string Detector, RunResults Run);

/// <summary>
/// The charts at the top of a several-detector run, one colour per detector and one group per
/// variant: ΔAP against each detector's own baseline variant with its paired-bootstrap interval
/// (one chart per setting, hard first), and the median-latency ratio against that baseline per
/// backend (log scale, with its interval). Each detector keeps its own charts in its folder.
/// </summary>
internal static class DetectorCharts
{
    public static string DeltaApFileName(Setting setting) =>
        setting == Setting.Hard ? "delta_ap_by_detector.png" : $"delta_ap_by_detector_{setting.Id()}.png";

    public static string SpeedRatioFileName(string backend) => $"speed_ratio_by_detector_{backend}.png";

    /// <summary>The charts these runs have data for (paths relative to the top folder), in report order: hard ΔAP first.</summary>
    public static IReadOnlyList<ChartSpec> Plan(IReadOnlyList<DetectorResults> runs)
    {
        var charts = new List<ChartSpec>();
        if (runs.Count == 0) return charts;
        if (Variants(runs, r => r.DeltaAp is not null).Count > 0)
        {
            foreach (var setting in new[] { Setting.Hard, Setting.Medium, Setting.Easy })
            {
                charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/{DeltaApFileName(setting)}",
                    $"ΔAP ({setting.Id()}) of each variant against the same detector's nms: bar = point estimate, whiskers = 95% paired-bootstrap interval over images (a whisker range that includes 0 shows no difference)",
                    () => DeltaAp(runs, setting)));
            }
        }
        foreach (var backend in Backends(runs))
        {
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/{SpeedRatioFileName(backend)}",
                $"Median post-processing latency on {backend} relative to the same detector's nms (log scale; below 1 is faster): bar = ratio of medians, whiskers = 95% paired-bootstrap interval",
                () => SpeedRatio(runs, backend)));
        }
        return charts;
    }

    public static Plot DeltaAp(IReadOnlyList<DetectorResults> runs, Setting setting)
    {
        var plot = ComparisonCharts.NewPlot($"ΔAP {setting.Id()} vs each detector's own nms (whiskers: 95% bootstrap interval)", "", $"ΔAP {setting.Id()}");
        var variants = Variants(runs, r => r.DeltaAp is not null);
        double min = 0, max = 0;
        GroupedBars(plot, runs, variants, (run, variant) =>
        {
            if (RepresentativeRow(run, variant, r => r.DeltaAp is not null)?.DeltaAp?[setting] is not { } d) return null;
            min = Math.Min(min, Math.Min(d.Lower, d.Estimate));
            max = Math.Max(max, Math.Max(d.Upper, d.Estimate));
            return d;
        });
        var pad = Math.Max(0.002, (max - min) * 0.08);
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Axes.SetLimits(-0.6, variants.Count - 0.4, min - pad, max + pad);
        return plot;
    }

    public static Plot SpeedRatio(IReadOnlyList<DetectorResults> runs, string backend)
    {
        var plot = ComparisonCharts.NewPlot($"Median latency on {backend} / each detector's own nms (whiskers: 95% bootstrap interval)", "", "latency ratio (log scale)");
        var variants = Variants(runs, r => r.Backend == backend && r.SpeedRatio is not null);
        double min = 1, max = 1;
        // Bars stand on ratio 1 (log 0): a bar pointing down is a variant faster than nms.
        GroupedBars(plot, runs, variants, (run, variant) =>
        {
            if (run.Run.Find(variant, backend) is not { IsOk: true, SpeedRatio: { } r } || !(r.Lower > 0) || !(r.Estimate > 0)) return null;
            min = Math.Min(min, r.Lower);
            max = Math.Max(max, r.Upper);
            return new Interval(Math.Log10(r.Estimate), Math.Log10(r.Lower), Math.Log10(r.Upper));
        });
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        RatioTicks(plot.Axes.Left, min, max);
        var lo = Math.Log10(min);
        var hi = Math.Log10(max);
        var pad = Math.Max(0.02, (hi - lo) * 0.08);
        plot.Axes.SetLimits(-0.6, variants.Count - 0.4, lo - pad, hi + pad);
        return plot;
    }

    /// <summary>One bar per detector in each variant's group, standing on 0, with the interval as whiskers; legend outside, right.</summary>
    private static void GroupedBars(Plot plot, IReadOnlyList<DetectorResults> runs, List<string> variants, Func<DetectorResults, string, Interval?> value)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / Math.Max(1, runs.Count);
        for (var d = 0; d < runs.Count; d++)
        {
            var color = palette.GetColor(d);
            var bars = new List<Bar>();
            var xs = new List<double>();
            var ys = new List<double>();
            var below = new List<double>();
            var above = new List<double>();
            for (var v = 0; v < variants.Count; v++)
            {
                if (value(runs[d], variants[v]) is not { } interval) continue;
                var x = v - 0.4 + (width * (d + 0.5));
                bars.Add(new Bar { Position = x, Value = interval.Estimate, Size = width * 0.85, FillColor = color, LineWidth = 0 });
                xs.Add(x);
                ys.Add(interval.Estimate);
                below.Add(Math.Max(0, interval.Estimate - interval.Lower));
                above.Add(Math.Max(0, interval.Upper - interval.Estimate));
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = runs[d].Detector;
            plottable.Color = color;
            if (xs.Count == 0) continue;
            var whiskers = plot.Add.ErrorBar(xs, ys, above);
            whiskers.YErrorNegative = below;
            whiskers.YErrorPositive = above;
            whiskers.Color = Colors.Black;
        }
        ChartExporter.CategoricalX(plot, variants);
        plot.ShowLegend(Edge.Right);
    }

    // Ratios at 1-2-5 steps (and their reciprocals) labelled "×0.5", "×1", "×2" on a log10 axis.
    private static void RatioTicks(IAxis axis, double min, double max)
    {
        double[] steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
        var positions = new List<double>();
        var labels = new List<string>();
        foreach (var step in steps)
        {
            if (step < min / 1.5 || step > max * 1.5) continue;
            positions.Add(Math.Log10(step));
            labels.Add("×" + step.ToString("0.##", CultureInfo.InvariantCulture));
        }
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.ToArray(), labels.ToArray());
    }

    /// <summary>Variants with a row that <paramref name="has"/> in any detector's run, in first-seen order.</summary>
    private static List<string> Variants(IReadOnlyList<DetectorResults> runs, Func<ResultRow, bool> has)
    {
        var variants = new List<string>();
        foreach (var run in runs)
        {
            foreach (var row in run.Run.Rows)
            {
                if (row.IsOk && has(row) && !variants.Contains(row.Variant)) variants.Add(row.Variant);
            }
        }
        return variants;
    }

    private static List<string> Backends(IReadOnlyList<DetectorResults> runs)
    {
        var backends = new List<string>();
        foreach (var run in runs)
        {
            foreach (var row in run.Run.Rows)
            {
                if (row.IsOk && row.SpeedRatio is not null && !backends.Contains(row.Backend)) backends.Add(row.Backend);
            }
        }
        return backends;
    }

    /// <summary>The variant's row on the run's reference backend when it qualifies, else its first that does (ΔAP is the same on every backend that agrees with the oracle).</summary>
    private static ResultRow? RepresentativeRow(DetectorResults run, string variant, Func<ResultRow, bool> has) =>
        run.Run.Rows.FirstOrDefault(r => r.Variant == variant && r.Backend == run.Run.ReferenceBackend && r.IsOk && has(r))
        ?? run.Run.Rows.FirstOrDefault(r => r.Variant == variant && r.IsOk && has(r));
}
