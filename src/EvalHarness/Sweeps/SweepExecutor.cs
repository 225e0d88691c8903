using System.Diagnostics;
using System.Security.Cryptography;
using EvalHarness.Backends;
using EvalHarness.Datasets;
using EvalHarness.Sources;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Sweeps;

/// <summary>One configuration on one backend after the latency pass.</summary>
internal sealed class SweepCell
{
    public required RowStatus Status { get; init; }
    public string? Reason { get; init; }

    /// <summary>Median of each image's timed repeats, in image order.</summary>
    public double[] PerImageMedians { get; init; } = [];

    /// <summary>Every timed repeat, image by image (<c>Repeats</c> per image).</summary>
    public double[] Samples { get; init; } = [];

    /// <summary>SHA-256 of this backend's detections (image keys and packed boxes, image order).</summary>
    public string DetectionsSha256 { get; init; } = "";

    /// <summary>This backend's own detections when they differ from the accuracy pass's (null when identical).</summary>
    public float[][]? OwnDetections { get; init; }
}

/// <summary>What the two passes measured; the analysis reads only this.</summary>
internal sealed class SweepMeasurements
{
    public required IReadOnlyList<VariantSpec> Configurations { get; init; }

    /// <summary>The processed images (bad ones skipped), in source order.</summary>
    public required IReadOnlyList<ImageRef> Images { get; init; }

    public required GroundTruth GroundTruth { get; init; }

    /// <summary>[configuration][image]: x1, y1, x2, y2, score per detection, from the accuracy pass.</summary>
    public required float[][][] Detections { get; init; }

    public required string[] DetectionsSha256 { get; init; }

    public required string AccuracyBackend { get; init; }
    public required IReadOnlyList<string> Backends { get; init; }
    public required IReadOnlyList<string> Devices { get; init; }

    /// <summary>[backend][configuration].</summary>
    public required SweepCell[][] Cells { get; init; }

    public required int Repeats { get; init; }
    public int[] CandidateCounts { get; init; } = [];

    /// <summary>Index of each measured image in the candidate source.</summary>
    public int[] SourceIndices { get; init; } = [];
    public IReadOnlyList<string> SkippedImages { get; init; } = [];
    public TimeSpan AccuracyPass { get; init; }
    public TimeSpan LatencyPass { get; init; }
}

/// <summary>
/// Runs a sweep's configurations over every image in two passes. The <b>accuracy pass</b> runs
/// every configuration once per image, untimed, in parallel over images (one backend instance
/// per worker) on the first CPU backend listed. The <b>latency pass</b> then takes one
/// configuration at a time on each backend: per image, the suite's warm-up runs and timed
/// repeats (which must agree exactly), as a plain run does. A backend whose detections differ
/// from the accuracy pass's (the spec's 1e-5 equivalence of the soft variants) keeps its own, so
/// its AP is its own.
/// </summary>
internal sealed class SweepExecutor(ICandidateSource source, IReadOnlyList<VariantSpec> configurations, IReadOnlyList<BackendSlot> slots, int repeats, int warmUp, bool strict, IRunObserver? observer,
    IReadOnlyList<int>? selectedImages = null)
{
    public SweepMeasurements Execute(CancellationToken cancellationToken)
    {
        var (maps, images, indices, skipped) = LoadAll(cancellationToken);
        var gtImages = new List<GroundTruthImage>(indices.Count);
        foreach (var i in indices) gtImages.Add(source.GroundTruth.Images[i]);
        var groundTruth = new GroundTruth { Images = gtImages, Source = source.GroundTruth.Source, IsSubset = source.GroundTruth.IsSubset || gtImages.Count < source.GroundTruth.Images.Count };

        var accuracyName = AccuracyBackendName();
        var clock = Stopwatch.StartNew();
        var detections = AccuracyPass(maps, accuracyName, cancellationToken);
        var accuracyTime = clock.Elapsed;
        observer?.OnInfo($"accuracy pass: {configurations.Count} configurations × {images.Count} images on {accuracyName}, {Environment.ProcessorCount} threads: {accuracyTime.TotalSeconds:0.0} s");
        var hashes = new string[configurations.Count];
        for (var c = 0; c < hashes.Length; c++) hashes[c] = Hash(images, detections[c]);

        clock.Restart();
        var cells = new SweepCell[slots.Count][];
        for (var b = 0; b < slots.Count; b++) cells[b] = LatencyPass(b, maps, images, hashes, cancellationToken);
        var latencyTime = clock.Elapsed;
        observer?.OnInfo($"latency pass: {configurations.Count} configurations × {slots.Count} backends × {images.Count} images, {warmUp} warm-up + {repeats} repeats: {latencyTime.TotalSeconds:0.0} s");

        var counts = new int[maps.Count];
        for (var i = 0; i < counts.Length; i++) counts[i] = maps[i].Count;
        var names = new string[slots.Count];
        var devices = new string[slots.Count];
        for (var b = 0; b < slots.Count; b++)
        {
            names[b] = slots[b].Name;
            devices[b] = slots[b].Backend?.Device ?? "";
        }
        return new SweepMeasurements
        {
            Configurations = configurations,
            Images = images,
            GroundTruth = groundTruth,
            Detections = detections,
            DetectionsSha256 = hashes,
            AccuracyBackend = accuracyName,
            Backends = names,
            Devices = devices,
            Cells = cells,
            Repeats = repeats,
            CandidateCounts = counts,
            SourceIndices = [.. indices],
            SkippedImages = skipped,
            AccuracyPass = accuracyTime,
            LatencyPass = latencyTime,
        };
    }

    /// <summary>Every image's candidates in memory (the latency pass revisits each image once per configuration).</summary>
    private (List<CandidateMap> Maps, List<ImageRef> Images, List<int> Indices, List<string> Skipped) LoadAll(CancellationToken cancellationToken)
    {
        var selected = selectedImages ?? [.. Enumerable.Range(0, source.Images.Count)];
        var maps = new List<CandidateMap>(selected.Count);
        var images = new List<ImageRef>(selected.Count);
        var indices = new List<int>(selected.Count);
        var skipped = new List<string>();
        for (var n = 0; n < selected.Count; n++)
        {
            var i = selected[n];
            cancellationToken.ThrowIfCancellationRequested();
            var image = source.Images[i];
            var map = new CandidateMap();
            try
            {
                source.Load(i, map, cancellationToken);
            }
            catch (EvalHarnessException ex) when (!strict)
            {
                observer?.OnWarning($"skipped image {image.Event}/{image.ImageKey}: {ex.Message}");
                skipped.Add($"{image.Event}/{image.ImageKey}: {ex.Message}");
                continue;
            }
            maps.Add(map);
            images.Add(image);
            indices.Add(i);
            observer?.OnImageDone(new RunProgress(n + 1, selected.Count, image.ImageKey, Resumed: false));
        }
        if (images.Count == 0) throw new UsageException("sweep: no image could be loaded");
        return (maps, images, indices, skipped);
    }

    private string AccuracyBackendName()
    {
        foreach (var slot in slots)
        {
            if (slot.Backend is not null && slot.Name is "simd" or "scalar") return slot.Name;
        }
        return "simd"; // a GPU-only sweep: the untimed pass runs on the CPU, and the GPU's detections are compared with it
    }

    private static IPostProcessingBackend CreateCpuBackend(string name) => name == "scalar" ? new ScalarBackend() : new SimdBackend();

    private float[][][] AccuracyPass(List<CandidateMap> maps, string backendName, CancellationToken cancellationToken)
    {
        var detections = new float[configurations.Count][][];
        for (var c = 0; c < detections.Length; c++) detections[c] = new float[maps.Count][];
        var done = 0;
        Parallel.For(0, maps.Count,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => (Backend: CreateCpuBackend(backendName), Output: new DetectionList()),
            (i, _, worker) =>
            {
                for (var c = 0; c < configurations.Count; c++)
                {
                    worker.Backend.Run(maps[i], configurations[c], worker.Output);
                    detections[c][i] = Pack(worker.Output);
                }
                var n = Interlocked.Increment(ref done);
                lock (detections) observer?.OnImageDone(new RunProgress(n, maps.Count, maps[i].ImageKey, Resumed: false));
                return worker;
            },
            worker => worker.Backend.Dispose());
        return detections;
    }

    private SweepCell[] LatencyPass(int b, List<CandidateMap> maps, List<ImageRef> images, string[] accuracyHashes, CancellationToken cancellationToken)
    {
        var slot = slots[b];
        var cells = new SweepCell[configurations.Count];
        var first = new DetectionList();
        var repeat = new DetectionList();
        string? failure = null;
        for (var c = 0; c < configurations.Count; c++)
        {
            var variant = configurations[c];
            if (slot.Backend is null)
            {
                cells[c] = new SweepCell { Status = RowStatus.NotApplicable, Reason = slot.UnavailableReason ?? "backend not present" };
                continue;
            }
            if (!slot.Backend.Supports(variant.Kind))
            {
                cells[c] = new SweepCell { Status = RowStatus.NotApplicable, Reason = $"{slot.Name} does not implement {variant.Name}" };
                continue;
            }
            if (failure is not null)
            {
                cells[c] = new SweepCell { Status = RowStatus.Failed, Reason = failure };
                continue;
            }
            try
            {
                cells[c] = TimeConfiguration(slot, variant, maps, images, accuracyHashes[c], first, repeat, cancellationToken);
            }
            catch (EvalHarnessException ex)
            {
                // A faulting device (lost GPU, out of memory) is out for the rest of the sweep.
                failure = $"{slot.Name} failed on {variant}: {ex.Message}";
                observer?.OnWarning(failure);
                cells[c] = new SweepCell { Status = RowStatus.Failed, Reason = failure };
            }
            observer?.OnImageDone(new RunProgress(c + 1, configurations.Count, $"{variant} on {slot.Name}", Resumed: false));
        }
        return cells;
    }

    private SweepCell TimeConfiguration(BackendSlot slot, VariantSpec variant, List<CandidateMap> maps, List<ImageRef> images, string accuracyHash, DetectionList first, DetectionList repeat, CancellationToken cancellationToken)
    {
        var backend = slot.Backend!;
        var reps = Math.Max(1, repeats);
        var medians = new double[maps.Count];
        var samples = new double[maps.Count * reps];
        var own = new float[maps.Count][];
        var perImage = new double[reps];
        for (var i = 0; i < maps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var map = maps[i];
            var differing = TimedRepeats.Run(backend, map, variant, warmUp, first, repeat, perImage);
            if (differing >= 0)
            {
                return new SweepCell { Status = RowStatus.Failed, Reason = $"{slot.Name} {variant}: repeat {differing} returned different detections on {map.Event}/{map.ImageKey} (non-deterministic backend)" };
            }
            perImage.CopyTo(samples, i * reps);
            medians[i] = Metrics.Statistics.Percentiles.Median(perImage);
            own[i] = Pack(first);
        }
        var hash = Hash(images, own);
        return new SweepCell
        {
            Status = RowStatus.Ok,
            PerImageMedians = medians,
            Samples = samples,
            DetectionsSha256 = hash,
            OwnDetections = hash == accuracyHash ? null : own,
        };
    }

    internal static float[] Pack(DetectionList list)
    {
        var packed = new float[list.Count * 5];
        var x1 = list.X1; var y1 = list.Y1; var x2 = list.X2; var y2 = list.Y2; var s = list.Score;
        for (var i = 0; i < list.Count; i++)
        {
            packed[(i * 5) + 0] = x1[i];
            packed[(i * 5) + 1] = y1[i];
            packed[(i * 5) + 2] = x2[i];
            packed[(i * 5) + 3] = y2[i];
            packed[(i * 5) + 4] = s[i];
        }
        return packed;
    }

    /// <summary>The same digest a plain run writes to detections_sha256 (image key line, then the packed floats).</summary>
    internal static string Hash(IReadOnlyList<ImageRef> images, float[][] detections)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < images.Count; i++)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{images[i].Event}/{images[i].ImageKey}\n"));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(detections[i].AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
