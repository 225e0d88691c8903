using System.Globalization;
using EvalHarness.Reporting;
using EvalHarness.Reporting.Charts;
using ScottPlot;

namespace EvalHarness.Sweeps;

/// <summary>
/// A sweep's charts: <c>pareto_&lt;backend&gt;.png</c> (hard AP vs median ms on a log axis, points
/// coloured by family, the frontier as a step line, each family's tuned pick ringed and labelled)
/// and <c>sensitivity_&lt;family&gt;.png</c> (hard AP over the family's first two listed parameters
/// as a heat map with the value in each cell, the other parameters at the family's best
/// configuration; a line for one parameter).
/// </summary>
internal static class SweepCharts
{
    public const int Width = 1400;
    public const int Height = 850;

    public static void Export(SweepResults sweep, string folder)
    {
        ChartFonts.EnsureRegistered();
        Directory.CreateDirectory(Path.Combine(folder, ResultFiles.ChartsFolder));
        foreach (var chart in Plan(sweep))
        {
            ComparisonCharts.WritePng(Path.Combine(folder, chart.RelativePath), chart.Build(), Width, Height);
        }
    }

    public static IReadOnlyList<ChartSpec> Plan(SweepResults sweep)
    {
        var charts = new List<ChartSpec>();
        foreach (var backend in sweep.Rows.Where(r => r.IsOk).Select(r => r.Backend).Distinct())
        {
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/pareto_{backend}.png", $"Hard AP vs post-processing latency on {backend} (Pareto frontier)", () => Pareto(sweep, backend)));
        }
        var reference = ReferenceBackend(sweep);
        foreach (var axes in sweep.Axes)
        {
            if (reference is null || !sweep.Rows.Any(r => r.Family == axes.Family && r.Backend == reference && r.IsOk)) continue;
            var name = axes.Family.Replace('+', '_');
            charts.Add(new ChartSpec($"{ResultFiles.ChartsFolder}/sensitivity_{name}.png", $"Sensitivity of {axes.Family}: hard AP over {string.Join(" × ", axes.Axes.Take(2).Select(a => a.Key))}", () => Sensitivity(sweep, axes, reference)));
        }
        return charts;
    }

    private static string? ReferenceBackend(SweepResults sweep) =>
        sweep.Rows.FirstOrDefault(r => r.IsOk && r.Backend == sweep.AccuracyBackend)?.Backend ?? sweep.Rows.FirstOrDefault(r => r.IsOk)?.Backend;

    public static Plot Pareto(SweepResults sweep, string backend)
    {
        var plot = ComparisonCharts.NewPlot($"{sweep.Run.Suite}: hard AP vs median post-processing ms on {backend}", "median ms per image (log scale)", "hard AP (all images)");
        var rows = sweep.Rows.Where(r => r.Backend == backend && r.IsOk && r.Latency is not null && r.Ap is not null && r.Latency.Value.Median > 0).ToList();
        var families = rows.Select(r => r.Family).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var family in families)
        {
            var mine = rows.Where(r => r.Family == family).ToList();
            var markers = plot.Add.Markers(mine.Select(r => Math.Log10(r.Latency!.Value.Median)).ToArray(), mine.Select(r => r.Ap!.Value.Hard).ToArray(), MarkerShape.FilledCircle, 9, palette.GetColor(families.IndexOf(family)));
            markers.LegendText = family;
        }
        var frontier = sweep.Pareto.Where(p => p.Backend == backend).OrderBy(p => p.Order).ToList();
        if (frontier.Count > 0)
        {
            var line = plot.Add.Scatter(frontier.Select(p => Math.Log10(p.MedianMs)).ToArray(), frontier.Select(p => p.Ap.Hard).ToArray(), Colors.Black);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 1.5f;
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 0;
            line.LegendText = "Pareto frontier";
        }
        // Each family's tuned pick(s), ringed in the family's colour; one label per family at its
        // first pick, above and below in turn so neighbouring families stay readable.
        var xMin = rows.Count > 0 ? Math.Log10(rows.Min(r => r.Latency!.Value.Median)) : 0;
        var xMax = rows.Count > 0 ? Math.Log10(rows.Max(r => r.Latency!.Value.Median)) : 1;
        var tunedPicks = sweep.Tuned
            .Select(t => (Family: t, Picks: t.Picks.Where(p => p is not null).Distinct().Select(p => rows.FirstOrDefault(r => r.Configuration == p)).OfType<SweepRow>().ToList()))
            .Where(x => x.Picks.Count > 0)
            .OrderBy(x => x.Picks[0].Latency!.Value.Median) // alternate labels along the x axis, where neighbours collide
            .ToList();
        var yMin = rows.Count > 0 ? rows.Min(r => r.Ap!.Value.Hard) : 0;
        var yMax = rows.Count > 0 ? rows.Max(r => r.Ap!.Value.Hard) : 1;
        var placed = new List<(double X0, double X1, double Y0, double Y1)>();
        for (var n = 0; n < tunedPicks.Count; n++)
        {
            var (t, picks) = tunedPicks[n];
            var color = palette.GetColor(families.IndexOf(t.Family));
            foreach (var row in picks)
            {
                var ring = plot.Add.Marker(Math.Log10(row.Latency!.Value.Median), row.Ap!.Value.Hard, MarkerShape.OpenCircle, 22, color.Darken(0.25));
                ring.MarkerLineWidth = 2.5f;
            }
            var first = picks[0];
            var x = Math.Log10(first.Latency!.Value.Median);
            var y = first.Ap!.Value.Hard;
            var text = t.IsStable ? $"{t.Family} tuned" : $"{t.Family} tuned ({picks.Count} picks)";
            // Labels of points in the right quarter extend to the left, so they stay inside the plot.
            var right = x > xMin + (0.75 * (xMax - xMin));
            // Approximate label boxes in plot fractions (about 8 px per character, 18 px high on
            // a 1300 × 750 data area); take the first slot, alternating above and below and moving
            // away, whose box overlaps no label placed so far.
            var nx = (x - xMin) / Math.Max(1e-9, xMax - xMin);
            var ny = (y - yMin) / Math.Max(1e-9, yMax - yMin);
            var width = text.Length * 8.0 / 1300;
            var height = 18.0 / 750;
            var offset = 10.0;
            for (var slot = 0; slot < 12; slot++)
            {
                var candidate = (n + slot) % 2 == 0 ? -(10 + (20 * (slot / 2))) : 10 + (20 * (slot / 2));
                var y0 = candidate < 0 ? ny + (-candidate / 750.0) : ny - (candidate / 750.0) - height;
                var x0 = right ? nx - width - (12.0 / 1300) : nx + (12.0 / 1300);
                var box = (X0: x0, X1: x0 + width, Y0: y0, Y1: y0 + height);
                if (placed.All(p => box.X1 < p.X0 || box.X0 > p.X1 || box.Y1 < p.Y0 || box.Y0 > p.Y1))
                {
                    offset = candidate;
                    placed.Add(box);
                    break;
                }
            }
            var label = plot.Add.Text(text, x, y);
            label.LabelFontSize = 13;
            label.LabelFontColor = color.Darken(0.35);
            label.LabelBold = true;
            var above = offset < 0;
            label.LabelAlignment = (above, right) switch
            {
                (true, false) => Alignment.LowerLeft,
                (true, true) => Alignment.LowerRight,
                (false, false) => Alignment.UpperLeft,
                (false, true) => Alignment.UpperRight,
            };
            label.LabelOffsetX = right ? -12 : 12;
            label.LabelOffsetY = (float)offset;
        }
        if (rows.Count > 0)
        {
            var ms = rows.Select(r => r.Latency!.Value.Median).ToArray();
            LogTicks(plot.Axes.Bottom, ms.Min(), ms.Max());
            var aps = rows.Select(r => r.Ap!.Value.Hard).ToArray();
            var pad = Math.Max(0.01, (aps.Max() - aps.Min()) * 0.06);
            plot.Axes.SetLimits(Math.Log10(ms.Min()) - 0.15, Math.Log10(ms.Max()) + 0.35, aps.Min() - pad, aps.Max() + pad);
        }
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    public static Plot Sensitivity(SweepResults sweep, FamilyAxes axes, string backend)
    {
        var rows = sweep.Rows.Where(r => r.Family == axes.Family && r.Backend == backend && r.IsOk && r.Ap is not null).ToList();
        var best = rows.MaxBy(r => r.Ap!.Value.Hard)!;
        var shown = axes.Axes.Take(2).ToList();
        // The other listed parameters are held at the best configuration's values.
        var others = axes.Axes.Skip(2).Select(a => a.Key).ToList();
        bool AtBest(SweepRow r) => others.All(k => r.Parameters.GetValueOrDefault(k) == best.Parameters.GetValueOrDefault(k));
        var fixedText = others.Count == 0 ? "" : " at " + string.Join(", ", others.Select(k => $"{k}={best.Parameters.GetValueOrDefault(k)}")) + " (its best configuration's)";
        var title = $"{axes.Family} on {backend}: hard AP{fixedText}";

        // Values as canonical strings, so "0.40" in the suite matches "0.4" in the label.
        var xValues = CanonicalValues(shown[0], rows);
        if (shown.Count == 1)
        {
            var plot = ComparisonCharts.NewPlot(title, shown[0].Key, "hard AP");
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < xValues.Count; i++)
            {
                var row = rows.FirstOrDefault(r => AtBest(r) && r.Parameters.GetValueOrDefault(shown[0].Key) == xValues[i]);
                if (row is null) continue;
                xs.Add(i);
                ys.Add(row.Ap!.Value.Hard);
                var text = plot.Add.Text(row.Ap.Value.Hard.ToString("0.0000", CultureInfo.InvariantCulture), i, row.Ap.Value.Hard);
                text.LabelFontSize = 13;
                text.LabelAlignment = Alignment.LowerCenter;
                text.LabelOffsetY = -8;
            }
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.LineWidth = 2;
            line.MarkerSize = 9;
            Categorical(plot.Axes.Bottom, xValues);
            if (ys.Count > 0)
            {
                var pad = Math.Max(0.005, (ys.Max() - ys.Min()) * 0.15);
                plot.Axes.SetLimits(-0.5, xValues.Count - 0.5, ys.Min() - pad, ys.Max() + (2 * pad));
            }
            return plot;
        }

        var yValues = CanonicalValues(shown[1], rows);
        var heat = ComparisonCharts.NewPlot(title, shown[0].Key, shown[1].Key);
        var data = new double[yValues.Count, xValues.Count];
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (var yi = 0; yi < yValues.Count; yi++)
        {
            for (var xi = 0; xi < xValues.Count; xi++)
            {
                var row = rows.FirstOrDefault(r => AtBest(r)
                    && r.Parameters.GetValueOrDefault(shown[0].Key) == xValues[xi]
                    && r.Parameters.GetValueOrDefault(shown[1].Key) == yValues[yi]);
                var v = row?.Ap!.Value.Hard ?? double.NaN;
                // Row 0 of the heat map is drawn at the top: put the first y value at the bottom.
                data[yValues.Count - 1 - yi, xi] = v;
                if (double.IsFinite(v))
                {
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                }
            }
        }
        // One rectangle per cell (exact cell edges at ±0.5), coloured on viridis from the lowest to the highest AP shown.
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (var yi = 0; yi < yValues.Count; yi++)
        {
            for (var xi = 0; xi < xValues.Count; xi++)
            {
                var v = data[yValues.Count - 1 - yi, xi];
                var fraction = double.IsFinite(v) && hi > lo ? (v - lo) / (hi - lo) : 0.5;
                var cell = heat.Add.Rectangle(xi - 0.5, xi + 0.5, yi - 0.5, yi + 0.5);
                cell.FillColor = double.IsFinite(v) ? colormap.GetColor(fraction) : Colors.LightGray;
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
                var text = heat.Add.Text(double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a", xi, yi);
                text.LabelFontSize = 18;
                text.LabelBold = true;
                text.LabelAlignment = Alignment.MiddleCenter;
                // Light text on the dark end of viridis, dark on the light end.
                text.LabelFontColor = double.IsFinite(v) && fraction >= 0.6 ? Colors.Black : Colors.White;
            }
        }
        heat.HideGrid();
        Categorical(heat.Axes.Bottom, xValues);
        Categorical(heat.Axes.Left, yValues);
        heat.Axes.SetLimits(-0.5, xValues.Count - 0.5, -0.5, yValues.Count - 0.5);
        return heat;
    }

    private static List<string> CanonicalValues(GridAxis axis, List<SweepRow> rows)
    {
        var values = new List<string>();
        foreach (var written in axis.Values)
        {
            // The canonical spelling is the one the rows carry; match numerically.
            var match = rows.Select(r => r.Parameters.GetValueOrDefault(axis.Key)).FirstOrDefault(v => v is not null && SameNumber(v, written));
            var value = match ?? written;
            if (!values.Contains(value)) values.Add(value);
        }
        return values;
    }

    private static bool SameNumber(string a, string b) =>
        a == b || (double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                   && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
                   && (float)x == (float)y);

    private static void Categorical(IAxis axis, List<string> labels)
    {
        var positions = new double[labels.Count];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels.ToArray());
    }

    // Values are plotted as log10; ticks at 1-2-5 steps when the data span under five decades.
    private static void LogTicks(IAxis axis, double minValue, double maxValue)
    {
        if (!(minValue > 0) || !(maxValue >= minValue)) return;
        var lo = Math.Floor(Math.Log10(minValue));
        var hi = Math.Ceiling(Math.Log10(maxValue));
        double[] steps = hi - lo < 5 ? [1, 2, 5] : [1];
        var positions = new List<double>();
        var labels = new List<string>();
        for (var decade = lo; decade <= hi; decade++)
        {
            foreach (var step in steps)
            {
                var value = step * Math.Pow(10, decade);
                positions.Add(Math.Log10(value));
                labels.Add(value.ToString(value < 1 ? "0.###" : "0", CultureInfo.InvariantCulture));
            }
        }
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.ToArray(), labels.ToArray());
    }
}
