using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Tests.Metrics.Statistics;

public sealed class SignedTextTests
{
    [Theory]
    [InlineData(0.0, 4, "+0.0000")]
    [InlineData(-0.00001, 4, "+0.0000")]   // a custom "+0.0000;-0.0000" format prints "-+0.0000" here
    [InlineData(-5.55e-17, 3, "+0.000")]
    [InlineData(0.00005, 4, "+0.0001")]
    [InlineData(-0.00005, 4, "-0.0001")]
    [InlineData(-0.1132, 4, "-0.1132")]
    [InlineData(0.0065, 3, "+0.007")]
    [InlineData(double.NaN, 4, "n/a")]
    public void Signs_and_rounded_zeros(double value, int decimals, string expected) =>
        Assert.Equal(expected, SignedText.Of(value, decimals));

    [Fact]
    public void An_interval_keeps_every_bound_signed() =>
        Assert.Equal("+0.0065 [+0.0000, -0.0001]", SignedText.Of(new Interval(0.0065, -0.00001, -0.00012), 4));

    [Fact]
    public void Negative_zero_has_a_plus_sign() => Assert.Equal("+0.0000", SignedText.Of(-0.0, 4));

    [Fact]
    public void The_custom_format_it_replaces_does_print_a_double_sign() =>
        Assert.Equal("-+0.0000", (-0.00001).ToString("+0.0000;-0.0000", System.Globalization.CultureInfo.InvariantCulture));
}
