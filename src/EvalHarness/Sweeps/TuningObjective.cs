using System.Globalization;
using EvalHarness.IO;

namespace EvalHarness.Sweeps;

public enum ObjectiveKind
{
    /// <summary>Hard AP.</summary>
    HardAp,

    /// <summary>Mean of easy, medium and hard AP.</summary>
    MeanAp,

    /// <summary>Hard AP among configurations whose median latency is at most <see cref="TuningObjective.LatencyBoundMs"/>.</summary>
    HardApUnderLatency,
}

/// <summary>
/// What tuning maximises: <c>hard-ap</c>, <c>mean-ap</c>, or <c>hard-ap@latency&lt;=X</c> (X in ms per
/// image, median on the tuning backend; a configuration above it is not eligible).
/// </summary>
public sealed record TuningObjective(ObjectiveKind Kind, double LatencyBoundMs = double.PositiveInfinity)
{
    public static TuningObjective HardAp { get; } = new(ObjectiveKind.HardAp);

    /// <summary>The objective's value; NaN when the configuration is not eligible or its AP undefined.</summary>
    public double Score(double apEasy, double apMedium, double apHard, double medianMs) => Kind switch
    {
        ObjectiveKind.HardAp => apHard,
        ObjectiveKind.MeanAp => (apEasy + apMedium + apHard) / 3,
        ObjectiveKind.HardApUnderLatency => medianMs <= LatencyBoundMs ? apHard : double.NaN,
        _ => throw new InvalidOperationException($"unknown objective {Kind}"),
    };

    public static TuningObjective Parse(string text)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        switch (t)
        {
            case "hard-ap": return HardAp;
            case "mean-ap": return new(ObjectiveKind.MeanAp);
        }
        const string prefix = "hard-ap@latency<=";
        if (t.StartsWith(prefix, StringComparison.Ordinal)
            && double.TryParse(t.AsSpan(prefix.Length).TrimEnd("ms"), NumberStyles.Float, CultureInfo.InvariantCulture, out var bound)
            && bound > 0 && double.IsFinite(bound))
        {
            return new(ObjectiveKind.HardApUnderLatency, bound);
        }
        throw new UsageException($"tuning objective '{text}' must be hard-ap, mean-ap or hard-ap@latency<=X (X > 0, ms per image)");
    }

    public override string ToString() => Kind switch
    {
        ObjectiveKind.HardAp => "hard-ap",
        ObjectiveKind.MeanAp => "mean-ap",
        _ => "hard-ap@latency<=" + LatencyBoundMs.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>The suite's <c>"tuning"</c> block.</summary>
public sealed record TuningSpec
{
    public const int DefaultFolds = 2;

    public TuningObjective Objective { get; init; } = TuningObjective.HardAp;
    public int Folds { get; init; } = DefaultFolds;
}
