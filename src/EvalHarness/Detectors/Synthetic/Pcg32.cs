namespace EvalHarness.Detectors.Synthetic;

/// <summary>
/// PCG32 (O'Neill, XSH-RR 64/32). Our own generator, not <see cref="Random"/>, whose algorithm
/// is an implementation detail that may change between .NET versions: synthetic data must be the
/// same for a seed on every machine and runtime.
/// </summary>
internal struct Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private ulong _state;
    private readonly ulong _increment;

    public Pcg32(ulong seed, ulong stream)
    {
        _increment = (stream << 1) | 1UL;
        _state = 0;
        NextUInt();
        _state += seed;
        NextUInt();
    }

    /// <summary>An independent generator per (seed, item, purpose), mixed with SplitMix64 so nearby seeds do not correlate.</summary>
    public static Pcg32 For(int seed, int item, int purpose) =>
        new(SplitMix((ulong)(uint)seed ^ ((ulong)(uint)item << 32)), SplitMix(((ulong)(uint)purpose << 32) ^ (uint)item));

    public uint NextUInt()
    {
        var old = _state;
        _state = unchecked((old * Multiplier) + _increment);
        var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        var rot = (int)(old >> 59);
        return (xorShifted >> rot) | (xorShifted << ((-rot) & 31));
    }

    /// <summary>Uniform in [0, 1) with 32 bits of resolution.</summary>
    public double NextDouble() => NextUInt() * (1.0 / 4294967296.0);

    public double Uniform(double lo, double hi) => lo + ((hi - lo) * NextDouble());

    /// <summary>Uniform integer in [lo, hi] (bias below 2^-32 · range, irrelevant here).</summary>
    public int NextInt(int lo, int hi) => lo + (int)((ulong)NextUInt() * (ulong)(hi - lo + 1) >> 32);

    /// <summary>Approximately standard normal: Irwin–Hall sum of four uniforms, rescaled to unit variance (arithmetic only, so bit-identical everywhere).</summary>
    public double Normal() => (NextDouble() + NextDouble() + NextDouble() + NextDouble() - 2.0) * 1.7320508075688772;

    private static ulong SplitMix(ulong x)
    {
        x = unchecked(x + 0x9E3779B97F4A7C15UL);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return x ^ (x >> 31);
    }
}

/// <summary>
/// exp built from +, −, ×, ÷ and exact power-of-two scaling only: the platform's libm may differ
/// in the last bit between machines, which would make synthetic maps machine-dependent.
/// </summary>
internal static class DeterministicMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;

    public static double Exp(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > 709.0) return double.PositiveInfinity;
        if (x < -745.0) return 0.0;
        var k = Math.Round(x * InvLn2);
        var r = (x - (k * Ln2Hi)) - (k * Ln2Lo);
        // Taylor series on |r| ≤ ln2/2: the degree-13 remainder is below 1e-17 relative
        var term = 1.0;
        var sum = 1.0;
        for (var n = 1; n <= 13; n++)
        {
            term = term * r / n;
            sum += term;
        }
        return Math.ScaleB(sum, (int)k);
    }

    public static double Sigmoid(double x) => 1.0 / (1.0 + Exp(-x));
}
