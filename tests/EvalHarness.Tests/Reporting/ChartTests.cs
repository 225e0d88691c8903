using EvalHarness.Reporting.Charts;
using ScottPlot;

namespace EvalHarness.Tests.Reporting;

public class ChartTests
{
    [Theory]
    [InlineData(9280, 18368)]     // the quick suite's candidate counts: one decade tick only before
    [InlineData(0.0179, 13.9)]    // the quick suite's scaling times
    [InlineData(0.3, 0.9)]        // under one decade, no tick above 1
    [InlineData(1.001, 1.002)]    // nearly a single value
    [InlineData(0.001, 1e6)]
    public void Log_ticks_give_at_least_three_round_values_inside_the_data(double min, double max)
    {
        var ticks = ChartExporter.LogTickValues(min, max);
        Assert.True(ticks.Length >= 3, $"{ticks.Length} ticks: {string.Join(", ", ticks)}");
        Assert.True(ticks.Length <= 12, $"{ticks.Length} ticks: {string.Join(", ", ticks)}");
        Assert.All(ticks, t => Assert.InRange(t, min, max));
        Assert.Equal(ticks.Order().ToArray(), ticks);
    }

    [Fact]
    public void Log_ticks_prefer_log_style_steps_and_fall_back_to_even_steps_in_a_narrow_range()
    {
        Assert.Equal([0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10], ChartExporter.LogTickValues(0.0179, 13.9));
        Assert.Equal([0.001, 0.01, 0.1, 1, 10, 100, 1000], ChartExporter.LogTickValues(0.001, 1000));
        Assert.Equal([10_000, 12_000, 14_000, 16_000, 18_000], ChartExporter.LogTickValues(9280, 18368));
    }

    [Fact]
    public void Every_chart_keeps_its_legend_out_of_the_data_and_says_what_it_draws()
    {
        var run = FakeRuns.Create(withGpu: true, gpuNotApplicable: true);
        var charts = ChartExporter.Plan(run);
        Assert.Contains(charts, c => c.RelativePath.EndsWith("scaling.png", StringComparison.Ordinal));
        foreach (var chart in charts)
        {
            var plot = chart.Build();
            // the in-plot legend is off: where there is one, it is a panel beside the data area
            Assert.False(plot.Legend.IsVisible, chart.RelativePath);
            var title = plot.Axes.Title.Label.Text;
            var file = Path.GetFileName(chart.RelativePath);
            if (file.StartsWith("pr_", StringComparison.Ordinal))
            {
                Assert.EndsWith(", scalar backend", title);
                Assert.Contains("scalar backend", chart.Caption);
            }
            if (file == "ap.png") Assert.Contains("bars: 95% bootstrap interval", title);
            if (file == "latency.png") Assert.Contains("whiskers: p5–p95", title);
            if (file == "scaling.png") Assert.Contains("median per image; dashed: simd, dotted: gpu", title);
            if (file is "ap.png" or "latency.png")
            {
                // rotated up to the right and anchored at the label's right end, under its column
                Assert.True(plot.Axes.Bottom.TickLabelStyle.Rotation < 0);
                Assert.Equal(Alignment.MiddleRight, plot.Axes.Bottom.TickLabelStyle.Alignment);
            }
        }
    }
}
