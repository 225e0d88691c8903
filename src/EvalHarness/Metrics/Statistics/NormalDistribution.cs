namespace EvalHarness.Metrics.Statistics;

/// <summary>
/// The standard normal tail, which .NET lacks (there is no Math.Erfc). erfc is evaluated with
/// the all-positive series <c>erf(x) = 2/√π·e^{−x²}·Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1))</c> below 1
/// (no cancellation) and Laplace's continued fraction (200 terms) above, both to about 1e-15 relative.
/// </summary>
internal static class NormalDistribution
{
    private const double InvSqrtPi = 0.56418958354775628695;

    /// <summary>P(Z &gt; z) for a standard normal Z.</summary>
    public static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2.0));

    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2.0 - Erfc(-x);
        if (x < 1.0) return 1.0 - ErfSeries(x);
        if (x > 27.3) return 0.0; // below the smallest double
        return ErfcContinuedFraction(x);
    }

    private static double ErfSeries(double x)
    {
        var x2 = x * x;
        var term = x;
        var sum = x;
        for (var n = 1; n < 200; n++)
        {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return 2.0 * InvSqrtPi * Math.Exp(-x2) * sum;
    }

    // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
    private static double ErfcContinuedFraction(double x)
    {
        double tail = x;
        for (var k = 200; k >= 1; k--) tail = x + k * 0.5 / tail;
        return InvSqrtPi * Math.Exp(-x * x) / tail;
    }
}
