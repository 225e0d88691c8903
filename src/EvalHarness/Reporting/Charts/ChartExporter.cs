using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using ScottPlot;

namespace EvalHarness.Reporting.Charts;

/// <summary>A chart of a run: its path relative to the results folder, a caption, and how to draw it.</summary>
internal sealed record ChartSpec(string RelativePath, string Caption, Func<Plot> Build);

/// <summary>
/// Renders the run's charts as PNGs under <c>charts/</c>: PR curves per setting (one line per
/// variant), AP per variant with interval bars, latency per variant × backend (box plots), and
/// the scaling sweep (log-log) with the CPU/GPU crossover marked. Only charts with data are drawn.
/// </summary>
internal sealed class ChartExporter : IRunExporter
{
    public const int Width = 1200;
    public const int Height = 700;

    public string FileName => ResultFiles.ChartsFolder;

    public void Export(RunResults run, string folder)
    {
        ChartFonts.EnsureRegistered();
        foreach (var chart in Plan(run))
        {
            ComparisonCharts.WritePng(Path.Combine(folder, chart.RelativePath), chart.Build(), Width, Height);
        }
    }

    /// <summary>The charts this run has data for, in report order.</summary>
    public static IReadOnlyList<ChartSpec> Plan(RunResults run)
    {
        var charts = new List<ChartSpec>();
        foreach (var setting in SettingExtensions.All)
        {
            if (run.PrCurves.Any(c => c.Setting == setting))
            {
                charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/pr_{setting.Id()}.png", $"Precision-recall, {setting.Id()}{BackendNote([.. PreferredCurves(run, setting)])}", () => PrCurves(run, setting)));
            }
        }
        if (run.Rows.Any(r => r.IsOk && r.Ap is not null))
        {
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/ap.png", "AP per variant (dot: AP; bars: 95% bootstrap interval over images)", () => ApPerVariant(run)));
        }
        if (run.LatencySamples.Any(s => s.Milliseconds.Length > 0))
        {
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/latency.png", "Post-processing latency per image, every timed repeat (box: quartiles; line: median; whiskers: 5th–95th percentile)", () => Latency(run)));
        }
        if (BreakdownRows(run).Count > 0)
        {
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/{ComparisonCharts.BreakdownFileName}", "AP by face height and attribute (hard-setting faces)",
                () => ComparisonCharts.BreakdownBars([.. BreakdownRows(run).Select(r => new MethodBreakdown(r.Variant, r.Breakdown!))])));
        }
        if (run.Scaling.Count > 0)
        {
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/scaling.png", "Post-processing time vs candidates (median per image, log-log)", () => Scaling(run)));
        }
        return charts;
    }

    /// <summary>
    /// The comparison figure of one setting: one curve per variant (reference backend first), legend
    /// "variant (AP)" sorted by AP; the title names the backend the curves come from.
    /// </summary>
    public static Plot PrCurves(RunResults run, Setting setting)
    {
        var curves = PreferredCurves(run, setting).ToList();
        return ComparisonCharts.PrComparison(setting, curves.Select(c =>
            new MethodCurve(c.Variant, ReferenceRow(run, c.Variant)?.Ap?[setting] ?? double.NaN, c.Recall, c.Precision)), BackendNote(curves));
    }

    /// <summary>", scalar backend" or, when a variant's curve had to come from another backend, ", scalar backend (gc: simd)".</summary>
    private static string BackendNote(List<PrCurve> curves)
    {
        if (curves.Count == 0) return "";
        var main = curves.GroupBy(c => c.Backend).OrderByDescending(g => g.Count()).First().Key;
        var others = curves.Where(c => c.Backend != main).Select(c => $"{c.Variant}: {c.Backend}").ToList();
        return $", {main} backend{(others.Count == 0 ? "" : $" ({string.Join(", ", others)})")}";
    }

    public static Plot ApPerVariant(RunResults run)
    {
        var plot = ComparisonCharts.NewPlot("AP per variant (dot: AP; bars: 95% bootstrap interval over images)", "", "AP");
        var variants = OkVariants(run);
        var palette = new ScottPlot.Palettes.Category10();
        var settings = SettingExtensions.All;
        double min = 1, max = 0;
        for (var s = 0; s < settings.Length; s++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            var lo = new List<double>();
            var hi = new List<double>();
            for (var v = 0; v < variants.Count; v++)
            {
                var row = ReferenceRow(run, variants[v]);
                if (row?.Ap is not { } ap) continue;
                var y = ap[settings[s]];
                xs.Add(v + (s - 1) * 0.22);
                ys.Add(y);
                var interval = row.ApInterval?[settings[s]];
                lo.Add(interval is { } iv ? y - iv.Lower : 0);
                hi.Add(interval is { } iv2 ? iv2.Upper - y : 0);
                min = Math.Min(min, y - lo[^1]);
                max = Math.Max(max, y + hi[^1]);
            }
            var color = palette.GetColor(s);
            var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 9, color);
            markers.LegendText = settings[s].Id();
            var bars = plot.Add.ErrorBar(xs, ys, hi);
            bars.YErrorNegative = lo;
            bars.YErrorPositive = hi;
            bars.Color = color;
        }
        CategoricalX(plot, variants);
        var pad = Math.Max(0.01, (max - min) * 0.1);
        plot.Axes.SetLimits(-0.6, variants.Count - 0.4, Math.Max(0, min - pad), Math.Min(1.0, max + pad));
        plot.ShowLegend(Edge.Right); // outside the data area: intervals reach any height, no corner is sure to be free
        return plot;
    }

    public static Plot Latency(RunResults run)
    {
        var plot = ComparisonCharts.NewPlot("Post-processing latency per image, every timed repeat (box: quartiles; line: median; whiskers: p5–p95)", "", "ms per image (log scale)");
        var variants = new List<string>();
        var backends = new List<string>();
        foreach (var s in run.LatencySamples)
        {
            if (s.Milliseconds.Length == 0) continue;
            if (!variants.Contains(s.Variant)) variants.Add(s.Variant);
            if (!backends.Contains(s.Backend)) backends.Add(s.Backend);
        }
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / Math.Max(1, backends.Count);
        for (var b = 0; b < backends.Count; b++)
        {
            var boxes = new List<Box>();
            for (var v = 0; v < variants.Count; v++)
            {
                var series = run.FindSamples(variants[v], backends[b]);
                if (series is null || series.Milliseconds.Length == 0) continue;
                var sorted = series.Milliseconds.Where(x => x > 0).Order().ToArray();
                if (sorted.Length == 0) continue;
                double Q(double p) => Math.Log10(Percentiles.OfSorted(sorted, p));
                boxes.Add(new Box
                {
                    Position = v - 0.4 + width * (b + 0.5),
                    BoxMin = Q(0.25),
                    BoxMax = Q(0.75),
                    BoxMiddle = Q(0.5),
                    WhiskerMin = Q(0.05),
                    WhiskerMax = Q(0.95),
                    Width = width * 0.8,
                });
            }
            if (boxes.Count == 0) continue;
            var plottable = plot.Add.Boxes(boxes);
            plottable.FillColor = palette.GetColor(b).WithAlpha(0.6);
            plottable.LegendText = backends[b];
        }
        CategoricalX(plot, variants);
        var all = run.LatencySamples.SelectMany(x => x.Milliseconds).Where(x => x > 0).ToArray();
        if (all.Length > 0) LogTicks(plot.Axes.Left, all.Min(), all.Max());
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(-0.6, variants.Count - 0.4);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    public static Plot Scaling(RunResults run)
    {
        // The claim compares gradient clipping with the baseline: plot those variants only, one
        // colour per variant and one line pattern per backend, so the chart stays readable.
        var palette = new ScottPlot.Palettes.Category10();
        var shown = run.Scaling.Select(p => p.Variant).Distinct().Where(v => v == run.BaselineVariant || IsGradientClipping(v)).ToList();
        var series = run.Scaling
            .Where(p => p.Candidates > 0 && p.MedianMilliseconds > 0 && shown.Contains(p.Variant))
            .GroupBy(p => (p.Variant, p.Backend))
            .ToList();
        var patterns = string.Join(", ", series.Select(g => g.Key.Backend).Distinct().Select(b => $"{PatternName(b)}: {b}"));
        var plot = ComparisonCharts.NewPlot($"Post-processing time vs candidates (median per image; {patterns})", "candidates per image (log scale)", "median ms per image (log scale)");
        foreach (var group in series)
        {
            var points = group.OrderBy(p => p.Candidates).ToArray();
            var line = plot.Add.Scatter(
                points.Select(p => Math.Log10(p.Candidates)).ToArray(),
                points.Select(p => Math.Log10(p.MedianMilliseconds)).ToArray(),
                palette.GetColor(shown.IndexOf(group.Key.Variant)));
            line.LineWidth = 2;
            line.MarkerSize = 6;
            line.LinePattern = BackendPattern(group.Key.Backend);
            line.LegendText = $"{group.Key.Variant} on {group.Key.Backend}";
        }
        foreach (var variant in run.Scaling.Select(p => p.Variant).Distinct())
        {
            var gpu = run.Scaling.Where(p => p.Variant == variant && p.Backend == "gpu").ToList();
            if (gpu.Count == 0) continue;
            foreach (var cpuBackend in new[] { "simd", "scalar" })
            {
                var cpu = run.Scaling.Where(p => p.Variant == variant && p.Backend == cpuBackend).ToList();
                if (ScalingAnalysis.FindCrossover(cpu, gpu) is not { } crossing) continue;
                var marker = plot.Add.VerticalLine(Math.Log10(crossing), 1.5f, Colors.Gray, LinePattern.Dashed);
                marker.LabelText = FormattableString.Invariant($"{variant}: gpu < {cpuBackend} above ≈{crossing:N0}");
                marker.LabelOppositeAxis = true;
                break; // one crossover per variant: against the fastest CPU backend present
            }
        }
        // ticks over what is drawn: a variant left out of the chart must not stretch them
        var valid = series.SelectMany(g => g).ToArray();
        if (valid.Length > 0)
        {
            LogTicks(plot.Axes.Bottom, valid.Min(p => p.Candidates), valid.Max(p => p.Candidates));
            LogTicks(plot.Axes.Left, valid.Min(p => p.MedianMilliseconds), valid.Max(p => p.MedianMilliseconds));
        }
        // Outside the data area, with line samples long enough to show the dash pattern.
        plot.ShowLegend(Edge.Right).Legend.SymbolWidth = 48;
        return plot;
    }

    /// <summary>The scaling chart's line pattern per backend (the title spells the mapping out).</summary>
    internal static LinePattern BackendPattern(string backend) => backend switch
    {
        "scalar" => LinePattern.Solid,
        "simd" => LinePattern.Dashed,
        _ => LinePattern.Dotted,
    };

    private static string PatternName(string backend) => backend switch
    {
        "scalar" => "solid",
        "simd" => "dashed",
        _ => "dotted",
    };

    private static bool IsGradientClipping(string variantLabel) =>
        EvalHarness.PostProcessing.VariantSpec.TryParse(variantLabel, out var spec, out _) && EvalHarness.PostProcessing.VariantKindExtensions.IsGradientClipping(spec!.Kind);

    internal static void CategoricalX(Plot plot, IReadOnlyList<string> labels)
    {
        var positions = new double[labels.Count];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. labels]);
        // Rotated up to the right and anchored at their right end: each label ends under its column.
        plot.Axes.Bottom.TickLabelStyle.Rotation = -30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Left.MinimumSize = 90; // room for the first label, which reaches left of the data area
    }

    // Data are plotted as log10 values; the ticks are placed at the log of round values.
    private static void LogTicks(IAxis axis, double minValue, double maxValue)
    {
        var values = LogTickValues(minValue, maxValue);
        if (values.Length == 0) return;
        var positions = new double[values.Length];
        var labels = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            positions[i] = Math.Log10(values[i]);
            labels[i] = FormatTick(values[i]);
        }
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
    }

    /// <summary>
    /// Round values inside [<paramref name="minValue"/>, <paramref name="maxValue"/>] for a log axis,
    /// at least three of them whenever the range is not a single value: decades when the data span
    /// enough of them, else 1-2-5 steps, else 1-1.5-2-3-5-7 steps, else (a range under a factor of
    /// about two, where no log-style step gives three ticks) evenly spaced round values.
    /// </summary>
    internal static double[] LogTickValues(double minValue, double maxValue)
    {
        if (!(minValue > 0) || !(maxValue >= minValue) || double.IsInfinity(maxValue)) return [];
        if (maxValue == minValue) return [minValue];
        double[][] stepSets = [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]];
        foreach (var steps in stepSets)
        {
            var values = new List<double>();
            for (var decade = Math.Floor(Math.Log10(minValue)); decade <= Math.Ceiling(Math.Log10(maxValue)); decade++)
            {
                foreach (var step in steps)
                {
                    var value = RoundedPower(step, decade);
                    if (value >= minValue && value <= maxValue) values.Add(value);
                }
            }
            // four or more: a sparser set reads better; the densest log-style set may stop at three
            if (values.Count >= 4 || (values.Count >= 3 && ReferenceEquals(steps, stepSets[^1]))) return [.. values];
        }
        // Narrow range: the largest 1-2-5 step that still gives three ticks.
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(maxValue - minValue)));
        foreach (var scale in new[] { 5.0, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01 })
        {
            var step = magnitude * scale;
            var values = new List<double>();
            for (var k = Math.Ceiling(minValue / step); k * step <= maxValue; k++) values.Add(k * step);
            if (values.Count >= 3) return [.. values];
        }
        return [minValue, maxValue];
    }

    // 3 × 10^-2 as 0.03 exactly, not 0.030000000000000002: the label and the position agree.
    private static double RoundedPower(double step, double decade) =>
        decade >= 0 ? step * Math.Pow(10, decade) : step / Math.Pow(10, -decade);

    private static string FormatTick(double value) =>
        value >= 1 ? value.ToString("#,0.##", System.Globalization.CultureInfo.InvariantCulture)
        : value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> OkVariants(RunResults run)
    {
        var list = new List<string>();
        foreach (var row in run.Rows)
        {
            if (row.IsOk && row.Ap is not null && !list.Contains(row.Variant)) list.Add(row.Variant);
        }
        return list;
    }

    /// <summary>Per variant, in order, the representative row (<see cref="ReferenceRow"/>) when it has a breakdown.</summary>
    public static IReadOnlyList<ResultRow> BreakdownRows(RunResults run)
    {
        var rows = new List<ResultRow>();
        foreach (var variant in OkVariants(run))
        {
            if (ReferenceRow(run, variant) is { Breakdown: not null } row) rows.Add(row);
        }
        return rows;
    }

    /// <summary>The row whose AP represents a variant: the reference backend's when it ran, else the first that did.</summary>
    private static ResultRow? ReferenceRow(RunResults run, string variant) =>
        run.Rows.FirstOrDefault(r => r.Variant == variant && r.Backend == run.ReferenceBackend && r.IsOk && r.Ap is not null)
        ?? run.Rows.FirstOrDefault(r => r.Variant == variant && r.IsOk && r.Ap is not null);

    private static IEnumerable<PrCurve> PreferredCurves(RunResults run, Setting setting)
    {
        var seen = new HashSet<string>();
        foreach (var c in run.PrCurves.Where(c => c.Setting == setting).OrderBy(c => c.Backend == run.ReferenceBackend ? 0 : 1))
        {
            if (seen.Add(c.Variant)) yield return c;
        }
    }

}
