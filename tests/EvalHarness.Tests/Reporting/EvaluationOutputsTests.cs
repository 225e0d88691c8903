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
    public void Ap_csv_holds_shortest_round_trip_values()
    {
        using var dir = new TempDir();
        var result = Small();
        var path = Path.Combine(dir.Path, "ap.csv");
        ApCsvWriter.Write(path, result);

        var lines = File.ReadAllLines(path);
        Assert.Equal("setting,ap,faces", lines[0]);
        Assert.Equal(4, lines.Length);
        for (var s = 0; s < 3; s++)
        {
            var setting = result.Settings[s];
            Assert.Equal($"{setting.Setting.Id()},{setting.Ap.ToString("R", CultureInfo.InvariantCulture)},{setting.Faces}", lines[s + 1]);
        }
    }

    [Fact]
    public void Pr_curve_csv_has_every_threshold_of_every_setting()
    {
        using var dir = new TempDir();
        var result = Small();
        var path = Path.Combine(dir.Path, "pr_curve.csv");
        PrCurveCsvWriter.Write(path, result);

        var lines = File.ReadAllLines(path);
        Assert.Equal("setting,threshold,precision,recall", lines[0]);
        Assert.Equal(1 + 3 * 1000, lines.Length);
        Assert.StartsWith("easy,0.999,", lines[1]);
        var last = lines[^1].Split(',');
        Assert.Equal("hard", last[0]);
        Assert.Equal(result[Setting.Hard].Recall[^1], double.Parse(last[3], CultureInfo.InvariantCulture));
        Assert.Equal(result[Setting.Hard].Precision[^1], double.Parse(last[2], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Writes_all_three_files_including_a_png_chart()
    {
        using var dir = new TempDir();
        var paths = EvaluationOutputs.WriteAll(dir.Path, Small());

        Assert.Equal(["ap.csv", "pr_curve.csv", "pr_curve.png"], paths.Select(Path.GetFileName));
        var png = File.ReadAllBytes(paths[2]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 10_000, $"chart of {png.Length} bytes looks empty");
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
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
