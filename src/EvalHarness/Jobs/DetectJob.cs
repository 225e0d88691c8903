using System.Diagnostics;
using EvalHarness.Backends;
using EvalHarness.Datasets;
using EvalHarness.Detectors.Cache;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Jobs;

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

    /// <summary>Optional last step on each image's detections before they are written (e.g. face-api SSD's clip to its padded square).</summary>
    public Action<CandidateMap, DetectionList>? FinishDetections { get; init; }
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
                options.FinishDetections?.Invoke(map, detections);
                PredictionFolderWriter.WriteImage(options.PredictionsDirectory, images[i].Event, images[i].ImageKey, detections);
                files++;
            }
            progress?.Report(new DetectProgress(i + 1, images.Count, images[i].ImageKey));
        }
        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        double Quantile(double q) => sorted.Length == 0 ? double.NaN : Percentiles.OfSorted(sorted, q);
        return new DetectSummary(images.Count, cached.Hits, cached.Computed, cached.Warnings, candidates, stopwatch.Elapsed, files,
            Quantile(0.5), Quantile(0.9));
    }
}
