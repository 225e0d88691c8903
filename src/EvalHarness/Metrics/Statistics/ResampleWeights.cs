namespace EvalHarness.Metrics.Statistics;

/// <summary>
/// The resamples of a paired bootstrap over <see cref="ImageCount"/> images, drawn once as
/// multiplicity weights and then shared by every statistic of a run: the same
/// <see cref="SplitMix64"/> stream as <see cref="Bootstrap.Paired"/>, so resample b here is
/// resample b there and the intervals agree to the last bit. Drawing is sequential (the stream
/// is), evaluating is parallel over resamples: each resample writes only its own slot, so the
/// result does not depend on the degree of parallelism.
/// </summary>
internal sealed class ResampleWeights
{
    private readonly int[] _weights;

    private ResampleWeights(int imageCount, int count, int[] weights, BootstrapOptions options)
    {
        ImageCount = imageCount;
        Count = count;
        _weights = weights;
        Options = options;
    }

    public int ImageCount { get; }

    /// <summary>Number of resamples (<see cref="BootstrapOptions.Resamples"/>).</summary>
    public int Count { get; }

    public BootstrapOptions Options { get; }

    /// <summary>Weights of resample <paramref name="resample"/>: how often each image was drawn.</summary>
    public ReadOnlySpan<int> this[int resample] => _weights.AsSpan(resample * ImageCount, ImageCount);

    public static ResampleWeights Draw(int imageCount, BootstrapOptions? options = null)
    {
        options ??= BootstrapOptions.Default;
        options.Validate();
        if (imageCount <= 0) throw new ArgumentOutOfRangeException(nameof(imageCount), imageCount, "need at least one image");
        var weights = new int[checked(imageCount * options.Resamples)];
        var rng = new SplitMix64(options.Seed);
        for (var b = 0; b < options.Resamples; b++)
        {
            Bootstrap.DrawWeights(ref rng, weights.AsSpan(b * imageCount, imageCount));
        }
        return new ResampleWeights(imageCount, options.Resamples, weights, options);
    }

    /// <summary>
    /// <c>median(a) / median(b)</c> on every resample, pairs kept (<c>a[i]</c> and <c>b[i]</c> are the
    /// same image). A median depends only on the multiset of drawn values, so expanding the weights
    /// gives the value <see cref="Bootstrap.MedianRatio"/> finds from the draws themselves.
    /// </summary>
    public double[] MedianRatios(double[] a, double[] b, int? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != ImageCount || b.Length != ImageCount)
        {
            throw new ArgumentException($"paired samples of {a.Length} and {b.Length} images for resamples of {ImageCount}");
        }
        var stats = new double[Count];
        Parallel.For(0, Count, ParallelOptionsFor(parallelism),
            () => (new double[ImageCount], new double[ImageCount]),
            (r, _, buffers) =>
            {
                var (drawA, drawB) = buffers;
                var weights = this[r];
                var k = 0;
                for (var i = 0; i < weights.Length; i++)
                {
                    for (var w = weights[i]; w > 0; w--)
                    {
                        drawA[k] = a[i];
                        drawB[k] = b[i];
                        k++;
                    }
                }
                stats[r] = Percentiles.OfUnsortedInPlace(drawA, 0.5) / Percentiles.OfUnsortedInPlace(drawB, 0.5);
                return buffers;
            },
            _ => { });
        return stats;
    }

    private static ParallelOptions ParallelOptionsFor(int? parallelism) =>
        new() { MaxDegreeOfParallelism = parallelism ?? -1 };
}
