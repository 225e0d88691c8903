using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;
using ScottPlot;

namespace EvalHarness.Reporting.Charts;

/// <summary>One method's curve in one setting: what a comparison figure draws.</summary>
internal sealed record MethodCurve(string Method, double Ap, double[] Recall, double[] Precision);

/// <summary>One method's breakdown (AP per face subset).</summary>
internal sealed record MethodBreakdown(string Method, IReadOnlyList<BreakdownBucket> Buckets);

/// <summary>
/// The charts that compare methods, shared by <c>evaluate</c> and <c>run</c>: the WIDER FACE
/// comparison figure (one precision-recall curve per method, legend "method (AP)" sorted by AP,
/// as on the benchmark's results page) and the AP-per-bucket bar chart of the breakdown.
/// </summary>
internal static class ComparisonCharts
{
    public const int Width = 1200;
    public const int Height = 700;

    public static string PrFileName(Setting setting) => $"pr_{setting.Id()}.png";

    public const string BreakdownFileName = "breakdown.png";

    public static Plot PrComparison(Setting setting, IEnumerable<MethodCurve> curves, string? note = null)
    {
        var plot = NewPlot($"Precision-recall ({setting.Id()}){note}", "recall", "precision");
        var palette = new ScottPlot.Palettes.Category10();
        var i = 0;
        // Best first, as on the benchmark's results page; equal APs keep their given order.
        foreach (var curve in curves.OrderByDescending(c => double.IsNaN(c.Ap) ? double.NegativeInfinity : c.Ap))
        {
            var (recall, precision) = DefinedPoints(curve);
            var line = plot.Add.ScatterLine(recall, precision, palette.GetColor(i++));
            line.LineWidth = 2;
            line.LegendText = $"{curve.Method} ({curve.Ap.ToString("0.0000", CultureInfo.InvariantCulture)})";
        }
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        // Outside the data area: curves can pass through every corner of the plot.
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Grouped bars: one group per (kind, bucket), one bar per method; empty buckets get no bar and say "no face".</summary>
    public static Plot BreakdownBars(IReadOnlyList<MethodBreakdown> methods, string? note = null)
    {
        var plot = NewPlot($"AP by face height and attribute (hard-setting faces){note}", "", "AP");
        var categories = new List<(string Kind, string Bucket)>();
        foreach (var method in methods)
        {
            foreach (var b in method.Buckets)
            {
                if (!categories.Contains((b.Kind, b.Bucket))) categories.Add((b.Kind, b.Bucket));
            }
        }
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / Math.Max(1, methods.Count);
        for (var m = 0; m < methods.Count; m++)
        {
            var bars = new List<Bar>();
            foreach (var bucket in methods[m].Buckets)
            {
                if (bucket.Ap is not { } ap) continue;
                var c = categories.IndexOf((bucket.Kind, bucket.Bucket));
                bars.Add(new Bar { Position = c - 0.4 + width * (m + 0.5), Value = ap, Size = width * 0.9, FillColor = palette.GetColor(m), LineWidth = 0 });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = methods[m].Method;
            plottable.Color = palette.GetColor(m);
        }
        var labels = new string[categories.Count];
        var positions = new double[categories.Count];
        for (var c = 0; c < categories.Count; c++)
        {
            positions[c] = c;
            var faces = methods.Count > 0 ? methods[0].Buckets.FirstOrDefault(b => b.Kind == categories[c].Kind && b.Bucket == categories[c].Bucket)?.Faces ?? 0 : 0;
            labels[c] = FormattableString.Invariant($"{categories[c].Kind} {categories[c].Bucket} (n={faces})");
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 190;
        plot.Axes.Left.MinimumSize = 110; // room for the first rotated label, which reaches left of the data area
        plot.Axes.SetLimits(-0.6, categories.Count - 0.4, 0, 1.05);
        // Outside the data area: bars reach any height, so no corner of the plot is free.
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    public static void WritePng(string path, Plot plot, int width = Width, int height = Height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    internal static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        ChartFonts.EnsureRegistered();
        var plot = new Plot();
        plot.Font.Set(ChartFonts.FamilyName);
        plot.Title(title);
        if (xLabel.Length > 0) plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>The thresholds where precision is defined (NaN means no prediction reached them).</summary>
    private static (double[] Recall, double[] Precision) DefinedPoints(MethodCurve curve)
    {
        var recall = new List<double>(curve.Recall.Length);
        var precision = new List<double>(curve.Recall.Length);
        for (var t = 0; t < curve.Recall.Length && t < curve.Precision.Length; t++)
        {
            if (double.IsNaN(curve.Precision[t]) || double.IsNaN(curve.Recall[t])) continue;
            recall.Add(curve.Recall[t]);
            precision.Add(curve.Precision[t]);
        }
        return (recall.ToArray(), precision.ToArray());
    }
}
