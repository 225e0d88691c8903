using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Reporting.Charts;
using EvalHarness.Reporting.Csv;

namespace EvalHarness.Reporting;

/// <summary>One evaluated prediction folder: its name in tables and legends, its result and, when asked for, its breakdown.</summary>
public sealed record EvaluatedMethod(string Method, EvaluationResult Result, IReadOnlyList<BreakdownBucket>? Breakdown = null);

/// <summary>
/// Everything <c>evaluate --out</c> writes, in the same schema as a run's files: <c>ap.csv</c> and
/// <c>pr_curves.csv</c> (one <c>method</c> per prediction folder), the comparison figure per setting
/// (<c>charts/pr_{easy,medium,hard}.png</c>) and, with a breakdown, <c>breakdown.csv</c> and
/// <c>charts/breakdown.png</c>.
/// </summary>
public static class EvaluationOutputs
{
    public const string BreakdownFile = "breakdown.csv";

    /// <summary>Writes the files into <paramref name="outDir"/> (each atomically) and returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(string outDir, IReadOnlyList<EvaluatedMethod> methods)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var ap = Path.Combine(outDir, ResultFiles.Ap);
        CsvFiles.Write(ap, methods.SelectMany(m => CsvMapping.ToAp(m.Method, m.Result)));
        written.Add(ap);
        var curves = Path.Combine(outDir, ResultFiles.PrCurves);
        CsvFiles.Write(curves, methods.SelectMany(m => CsvMapping.ToPr(m.Method, m.Result)));
        written.Add(curves);

        var charts = Path.Combine(outDir, ResultFiles.ChartsFolder);
        Directory.CreateDirectory(charts);
        var note = methods.Count > 0 && methods[0].Result.IsSubset ? $" - subset of {methods[0].Result.ImageCount} images" : "";
        foreach (var setting in SettingExtensions.All)
        {
            var path = Path.Combine(charts, ComparisonCharts.PrFileName(setting));
            ComparisonCharts.WritePng(path, ComparisonCharts.PrComparison(setting, methods.Select(m =>
            {
                var s = m.Result[setting];
                return new MethodCurve(m.Method, s.Ap, s.Recall, s.Precision);
            }), note));
            written.Add(path);
        }

        var withBreakdown = methods.Where(m => m.Breakdown is not null).ToList();
        if (withBreakdown.Count > 0)
        {
            var breakdown = Path.Combine(outDir, BreakdownFile);
            CsvFiles.Write(breakdown, withBreakdown.SelectMany(m => CsvMapping.ToBreakdown(m.Method, m.Breakdown!)));
            written.Add(breakdown);
            var chart = Path.Combine(charts, ComparisonCharts.BreakdownFileName);
            ComparisonCharts.WritePng(chart, ComparisonCharts.BreakdownBars(withBreakdown.Select(m => new MethodBreakdown(m.Method, m.Breakdown!)).ToList(), note), 1400, 750);
            written.Add(chart);
        }
        return written;
    }
}
