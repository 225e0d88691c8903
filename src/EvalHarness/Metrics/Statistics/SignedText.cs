using System.Globalization;

namespace EvalHarness.Metrics.Statistics;

/// <summary>
/// A ΔAP as text with an explicit sign. WHY not a custom format such as <c>+0.0000;-0.0000</c>:
/// a small negative that rounds to zero falls back to the first section with a minus sign in
/// front, printing <c>-+0.0000</c>; here the value is rounded first, and a rounded zero is <c>+0…</c>.
/// </summary>
public static class SignedText
{
    public static string Of(double value, int decimals)
    {
        if (double.IsNaN(value)) return "n/a";
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0) rounded = 0; // folds −0 onto +0
        var text = rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return rounded < 0 ? text : "+" + text;
    }

    /// <summary>An interval of differences: <c>+0.0065 [+0.0050, +0.0081]</c>.</summary>
    public static string Of(Interval interval, int decimals) =>
        $"{Of(interval.Estimate, decimals)} [{Of(interval.Lower, decimals)}, {Of(interval.Upper, decimals)}]";
}
