using System.Diagnostics;
using System.Text;
using EvalHarness.Backends;
using EvalHarness.Datasets;
using EvalHarness.Detectors.Cache;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors;

/// <summary>What the <c>detect</c> verb asks for.</summary>
public sealed record DetectJobOptions
{
    public required ICandidateSource Source { get; init; }

    /// <summary>The cache folder every map is written to (and replayed from on a rerun).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>When set, post-process every map with <see cref="Variant"/> on <see cref="Backend"/> and write WIDER prediction files here.</summary>
    public string? PredictionsDirectory { get; init; }
    public VariantSpec? Variant { get; init; }
    public IPostProcessingBackend? Backend { get; init; }
}

public sealed record DetectProgress(int Done, int Total, string ImageKey);

/// <summary>What a detect run did; the latencies are end-to-end per computed image (decode, resize, every inference, stitching), cache hits excluded.</summary>
public sealed record DetectSummary(
    int Images, int CacheHits, int Computed, IReadOnlyList<CacheWarning> Warnings, long Candidates, TimeSpan Elapsed, int PredictionFiles,
    double LatencyMedianMs, double LatencyP90Ms);

/// <summary>Runs a candidate source over every image through the cache and optionally writes predictions.</summary>
public static class DetectJob
{
    public static DetectSummary Run(DetectJobOptions options, IProgress<DetectProgress>? progress = null, Action<CacheWarning>? onWarning = null, CancellationToken cancellationToken = default)
    {
        if (options.PredictionsDirectory is not null && (options.Variant is null || options.Backend is null))
            throw new UsageException("--write-predictions needs a variant and a backend");
        if (options.Variant is { } v && options.Backend is { } b && !b.Supports(v.Kind))
            throw new UsageException($"backend {b.Name} cannot run {v}");
        using var cached = new CachedCandidateSource(options.Source, options.CacheDirectory, onWarning, ownsInner: false);
        var map = new CandidateMap();
        var detections = new DetectionList();
        var stopwatch = Stopwatch.StartNew();
        long candidates = 0;
        var files = 0;
        var latencies = new List<double>();
        var images = cached.Images;
        for (var i = 0; i < images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var computedBefore = cached.Computed;
            var start = Stopwatch.GetTimestamp();
            cached.Load(i, map, cancellationToken);
            if (cached.Computed > computedBefore) latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            candidates += map.Count;
            if (options.PredictionsDirectory is not null)
            {
                detections.Clear();
                options.Backend!.Run(map, options.Variant!, detections);
                WritePredictions(options.PredictionsDirectory, images[i], detections);
                files++;
            }
            progress?.Report(new DetectProgress(i + 1, images.Count, images[i].ImageKey));
        }
        latencies.Sort();
        return new DetectSummary(images.Count, cached.Hits, cached.Computed, cached.Warnings, candidates, stopwatch.Elapsed, files,
            Percentile(latencies, 0.5), Percentile(latencies, 0.9));
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default) of a sorted list; NaN when empty.</summary>
    internal static double Percentile(List<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var pos = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>WIDER FACE submission layout: <c>DIR/&lt;event&gt;/&lt;key&gt;.txt</c> with the key, the count, then <c>x y w h score</c> lines.</summary>
    internal static void WritePredictions(string directory, ImageRef image, DetectionList detections)
    {
        var text = new StringBuilder();
        text.Append(image.ImageKey).Append('\n');
        text.Append(detections.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        for (var k = 0; k < detections.Count; k++)
        {
            text.Append(PredictionFormat.FormatLine(detections.X1[k], detections.Y1[k], detections.X2[k], detections.Y2[k], detections.Score[k])).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(directory, image.Event, image.ImageKey + ".txt"), text.ToString());
    }
}
