using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Reporting;
using static EvalHarness.Tests.Metrics.EvalFixtures;

namespace EvalHarness.Tests.Reporting;

public sealed class EvaluationOutputsTests
{
    private static EvaluationResult Small()
    {
        var gt = Truth(
            Image("0--E", "a", (new GtBox(10, 10, 20, 20), SettingMask.All), (new GtBox(100, 100, 8, 8), SettingMask.Hard)),
            Image("0--E", "b", (new GtBox(40, 40, 30, 30), SettingMask.Medium | SettingMask.Hard)));
        var predictions = Set(
            Preds("0--E", "a", new PredBox(10, 10, 20, 20, 0.9), new PredBox(300, 300, 5, 5, 0.3), new PredBox(100, 100, 8, 8, 0.5)),
            Preds("0--E", "b", new PredBox(41, 40, 30, 30, 0.7), new PredBox(0, 0, 3, 3, 0.1)));
        return WiderFaceEvaluator.Evaluate(gt, predictions, EvalOptions.Default);
    }

    [Fact]
    public void Ap_csv_holds_shortest_round_trip_values_in_the_run_schema()
    {
        using var dir = new TempDir();
        var result = Small();
        EvaluationOutputs.WriteAll(dir.Path, [new EvaluatedMethod("mine", result)]);

        var lines = File.ReadAllLines(Path.Combine(dir.Path, "ap.csv"));
        Assert.Equal("detector,method,variant,backend,setting,ap,ap_lo,ap_hi,faces,delta_ap,delta_lo,delta_hi", lines[0]);
        Assert.Equal(4, lines.Length);
        for (var s = 0; s < 3; s++)
        {
            var setting = result.Settings[s];
            Assert.Equal($",mine,,,{setting.Setting.Id()},{setting.Ap.ToString("R", CultureInfo.InvariantCulture)},,,{setting.Faces},,,", lines[s + 1]);
        }
    }

    [Fact]
    public void Pr_curves_csv_has_every_threshold_of_every_setting_of_every_method()
    {
        using var dir = new TempDir();
        var result = Small();
        EvaluationOutputs.WriteAll(dir.Path, [new EvaluatedMethod("a", result), new EvaluatedMethod("b", result)]);

        var lines = File.ReadAllLines(Path.Combine(dir.Path, "pr_curves.csv"));
        // the run's schema; a prediction folder has no detector, so that column stays empty
        Assert.Equal("detector,method,variant,backend,setting,threshold,recall,precision", lines[0]);
        Assert.Equal(1 + 2 * 3 * 1000, lines.Length);
        Assert.StartsWith(",a,,,easy,0.999,", lines[1]);
        var last = lines[^1].Split(',');
        Assert.Equal(["b", "hard"], [last[1], last[4]]);
        Assert.Equal(result[Setting.Hard].Recall[^1], double.Parse(last[6], CultureInfo.InvariantCulture));
        Assert.Equal(result[Setting.Hard].Precision[^1], double.Parse(last[7], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Writes_the_tables_and_one_comparison_png_per_setting()
    {
        using var dir = new TempDir();
        var paths = EvaluationOutputs.WriteAll(dir.Path, [new EvaluatedMethod("mine", Small())]);

        Assert.Equal(["ap.csv", "pr_curves.csv", "charts/pr_easy.png", "charts/pr_medium.png", "charts/pr_hard.png"],
            paths.Select(p => Path.GetRelativePath(dir.Path, p).Replace('\\', '/')));
        var png = File.ReadAllBytes(paths[4]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 10_000, $"chart of {png.Length} bytes looks empty");
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_breakdown_adds_breakdown_csv_and_its_bar_chart()
    {
        using var dir = new TempDir();
        var buckets = new List<BreakdownBucket> { new("height", "[0,16)", 0, null), new("height", "[16,32)", 3, 0.5) };
        var paths = EvaluationOutputs.WriteAll(dir.Path, [new EvaluatedMethod("m", Small(), buckets)]);

        Assert.Contains(paths, p => p.EndsWith("breakdown.png", StringComparison.Ordinal));
        var lines = File.ReadAllLines(Path.Combine(dir.Path, "breakdown.csv"));
        Assert.Equal(["detector,method,kind,bucket,faces,ap", ",m,height,\"[0,16)\",0,", ",m,height,\"[16,32)\",3,0.5"], lines);
    }

    [Fact]
    public void The_embedded_font_is_registered_as_the_default()
    {
        ChartFonts.EnsureRegistered();
        Assert.Equal(ChartFonts.FamilyName, ScottPlot.Fonts.Default);
        var typeface = ScottPlot.Fonts.GetTypeface(ChartFonts.FamilyName, bold: false, italic: false);
        Assert.Equal("DejaVu Sans", typeface.FamilyName);
        Assert.True(typeface.GlyphCount > 1000);
    }
}
