using System.Buffers;

namespace EvalHarness.Metrics.Statistics;

/// <summary>
/// Summary of per-image latency samples in milliseconds. Percentiles follow
/// <see cref="Percentiles"/> (numpy 'linear'); <see cref="Std"/> is the sample standard deviation
/// (n − 1 denominator, 0 for a single sample); <see cref="ThroughputPerSecond"/> is images per
/// second at the mean latency (1000 / mean), i.e. one image at a time, back to back.
/// </summary>
public readonly record struct LatencyStats(
    int Count,
    double Median,
    double P90,
    double P99,
    double Mean,
    double Std,
    double Min,
    double Max)
{
    public double ThroughputPerSecond => Mean > 0 ? 1000.0 / Mean : double.PositiveInfinity;

    /// <summary>Summarises <paramref name="samplesMs"/>; allocates nothing but a pooled sort buffer.</summary>
    public static LatencyStats From(ReadOnlySpan<double> samplesMs)
    {
        if (samplesMs.IsEmpty) throw new ArgumentException("no latency samples", nameof(samplesMs));
        var rented = ArrayPool<double>.Shared.Rent(samplesMs.Length);
        try
        {
            var sorted = rented.AsSpan(0, samplesMs.Length);
            samplesMs.CopyTo(sorted);
            sorted.Sort();
            foreach (var v in sorted)
            {
                if (!double.IsFinite(v)) throw new ArgumentException($"latency sample {v} is not finite", nameof(samplesMs));
            }

            // Two passes (mean, then squared deviations) rather than a running sum of squares: no cancellation.
            double sum = 0;
            foreach (var v in sorted) sum += v;
            var mean = sum / sorted.Length;
            double squares = 0;
            foreach (var v in sorted)
            {
                var d = v - mean;
                squares += d * d;
            }
            var std = sorted.Length > 1 ? Math.Sqrt(squares / (sorted.Length - 1)) : 0.0;

            return new LatencyStats(
                sorted.Length,
                Percentiles.OfSorted(sorted, 0.5),
                Percentiles.OfSorted(sorted, 0.9),
                Percentiles.OfSorted(sorted, 0.99),
                mean,
                std,
                sorted[0],
                sorted[^1]);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }
}
