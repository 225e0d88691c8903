using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;

namespace EvalHarness.Reporting;

/// <summary>The precision-recall curves of one evaluation as a PNG: one line per setting, its AP in the legend.</summary>
public static class PrCurveChart
{
    public const string FileName = "pr_curve.png";

    public static void Write(string path, EvaluationResult result, string? title = null, int width = 900, int height = 650)
    {
        ChartFonts.EnsureRegistered();
        var plot = new ScottPlot.Plot();
        var colors = new[] { ScottPlot.Color.FromHex("#1f77b4"), ScottPlot.Color.FromHex("#ff7f0e"), ScottPlot.Color.FromHex("#2ca02c") };
        foreach (var setting in result.Settings)
        {
            var (recall, precision) = DefinedPoints(setting);
            var line = plot.Add.ScatterLine(recall, precision);
            line.LineWidth = 2;
            line.Color = colors[(int)setting.Setting];
            line.LegendText = $"{setting.Setting.Id()}  AP {setting.Ap.ToString("0.0000", CultureInfo.InvariantCulture)}  ({setting.Faces} faces)";
        }
        var subset = result.IsSubset ? $" (subset: {result.ImageCount} images)" : "";
        plot.Title((title ?? "WIDER FACE precision-recall") + subset);
        plot.XLabel("Recall");
        plot.YLabel("Precision");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        var png = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }

    /// <summary>The thresholds where precision is defined (NaN means no prediction reached them).</summary>
    private static (double[] Recall, double[] Precision) DefinedPoints(SettingResult setting)
    {
        var recall = new List<double>(setting.Recall.Length);
        var precision = new List<double>(setting.Recall.Length);
        for (var t = 0; t < setting.Recall.Length; t++)
        {
            if (double.IsNaN(setting.Precision[t]) || double.IsNaN(setting.Recall[t])) continue;
            recall.Add(setting.Recall[t]);
            precision.Add(setting.Precision[t]);
        }
        return (recall.ToArray(), precision.ToArray());
    }
}

/// <summary>Everything <c>evaluate --out</c> writes: ap.csv, pr_curve.csv and pr_curve.png.</summary>
public static class EvaluationOutputs
{
    /// <summary>Writes the three files into <paramref name="outDir"/> and returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(string outDir, EvaluationResult result, string? title = null)
    {
        Directory.CreateDirectory(outDir);
        var ap = Path.Combine(outDir, ApCsvWriter.FileName);
        var curve = Path.Combine(outDir, PrCurveCsvWriter.FileName);
        var chart = Path.Combine(outDir, PrCurveChart.FileName);
        ApCsvWriter.Write(ap, result);
        PrCurveCsvWriter.Write(curve, result);
        PrCurveChart.Write(chart, result, title);
        return [ap, curve, chart];
    }
}
