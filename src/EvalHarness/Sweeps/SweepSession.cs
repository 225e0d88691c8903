using System.Globalization;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Sweeps;

/// <summary>
/// Runs a sweep suite end to end: candidates into memory, the accuracy and latency passes
/// (<see cref="SweepExecutor"/>), folds, the analysis, then every file: the plain run's tables
/// (summary.csv keyed by the canonical configuration label, so <c>compare</c> works on sweeps),
/// sweep.csv, tuning.csv, pareto.csv, the charts and report.md. A shard (<c>--shard i/n</c>) runs
/// both passes on its images and stores per-image outcomes; <c>merge</c> analyses the union.
/// </summary>
internal static class SweepSession
{
    public static RunSessionResult Run(RunRequest request, IRunObserver? observer, CancellationToken cancellationToken = default)
    {
        var suite = request.Suite;
        var sweep = suite.Sweep ?? throw new ArgumentException("not a sweep suite", nameof(request));

        using var source = RunSources.CreateSource(suite, request.Root, request.ModelsDir, request.CacheRoot, observer is null ? null : observer.OnWarning);
        var slots = RunSources.CreateBackends(suite);
        try
        {
            var selected = request.Shard is { } shard ? ShardPlan.Select(source.Images.Count, shard) : null;
            observer?.OnInfo(string.Create(CultureInfo.InvariantCulture,
                $"sweep {suite.Name}: {suite.Variants.Count} configurations × {slots.Count} backends × {selected?.Length ?? source.Images.Count} images{(request.Shard is null ? "" : $" (shard {request.Shard} of {source.Images.Count})")}; {suite.Warmup} warm-up + {suite.Repeats} timed repeats each; tuning {sweep.Tuning.Objective}, {sweep.Tuning.Folds} folds"));
            var description = source.Describe();
            var imageListHash = RunFolder.ImageListHash(source.Images);
            // A sweep times image by image on every backend: the batch size is not part of what it measures.
            var planHash = (RunSession.PlanFor(suite, request.Shard, request.Strict) with { BatchSize = 1 }).Hash(description, imageListHash);
            // A sweep keeps its measurements in memory until the end (latency is taken one
            // configuration at a time), so an interrupted sweep starts over in a new folder.
            using var folder = request.OutputDir is { } explicitDir
                ? RunFolder.OpenForWriting(explicitDir)
                : RunFolder.CreateNew(request.ResultsRoot, suite.Name, request.Shard, DateTime.UtcNow);
            var outputDir = folder.Path;
            var devices = slots.Select(slot => slot.Backend?.Device ?? "").ToArray();
            folder.WriteManifest(new RunManifest
            {
                Suite = suite.Name,
                SuiteJson = SuiteLoader.ToJson(suite),
                PlanHash = planHash.ToString("x16", CultureInfo.InvariantCulture),
                Source = description,
                Images = source.Images.Count,
                ImageListSha256 = imageListHash,
                Shard = request.Shard?.ToString(),
                Devices = devices,
            });

            var measurements = new SweepExecutor(source, suite.Variants, slots, suite.Repeats, suite.Warmup, request.Strict, observer, selected).Execute(cancellationToken);
            if (request.Shard is not null)
            {
                SaveShard(source, measurements, selected!, planHash, TimingMachine.Current(devices), outputDir);
                folder.MarkComplete(selected!.Length);
                return new RunSessionResult(outputDir, null, selected!.Length, 0, measurements.SkippedImages);
            }
            cancellationToken.ThrowIfCancellationRequested();
            var results = Analyse(suite, measurements, observer);
            SweepExporters.WriteAll(results, outputDir);
            folder.MarkComplete(measurements.Images.Count);
            return new RunSessionResult(outputDir, results.Run, measurements.Images.Count, 0, measurements.SkippedImages);
        }
        finally
        {
            foreach (var slot in slots) slot.Backend?.Dispose();
        }
    }

    /// <summary>
    /// <c>merge</c> of a sweep's shards: their per-image outcomes, already collected and checked
    /// to cover every image, analysed together as one sweep (identical to an unsharded sweep but
    /// for timings, which come from the shards' processes).
    /// </summary>
    public static RunResults FinishMerged(Suite suite, IReadOnlyList<ImageOutcome> outcomes, Datasets.GroundTruth groundTruth, IReadOnlyList<string> devices, string outputDir)
    {
        var backends = suite.Backends.Select(b => b.Name).ToArray();
        var accuracy = backends.FirstOrDefault(b => b is "simd" or "scalar") ?? "simd";
        var measurements = SweepOutcomes.FromOutcomes(outcomes, suite.Variants, backends, devices, suite.Repeats, groundTruth, accuracy);
        var results = Analyse(suite, measurements, observer: null);
        SweepExporters.WriteAll(results, outputDir);
        return results.Run;
    }

    private static SweepResults Analyse(Suite suite, SweepMeasurements measurements, IRunObserver? observer)
    {
        var sweep = suite.Sweep!;
        var events = measurements.Images.Select(i => i.Event).ToArray();
        var byImage = suite.Dataset.Kind == DatasetKind.Synthetic;
        var folds = byImage ? FoldAssignment.ByImage(events.Length, sweep.Tuning.Folds) : FoldAssignment.ByEvent(events, sweep.Tuning.Folds);
        string? gpuName = null;
        for (var b = 0; b < measurements.Backends.Count; b++)
        {
            if (measurements.Backends[b] == "gpu" && measurements.Devices[b].Length > 0) gpuName = measurements.Devices[b];
        }
        var context = new SweepContext
        {
            SuiteName = suite.Name,
            Detector = suite.DetectorLabel,
            Dataset = suite.Dataset.DescribeWithoutCount(),
            Tuning = sweep.Tuning,
            Grids = sweep.Grids,
            FoldOfImage = folds,
            FoldRule = byImage ? FoldRules.ByImage : FoldRules.ByEvent,
            Bootstrap = new BootstrapOptions { Resamples = suite.BootstrapResamples, Seed = suite.BootstrapSeed },
            Environment = EnvironmentInfo.Capture(gpuName, null, DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory())),
            SuiteJson = SuiteLoader.ToJson(suite),
        };
        var results = SweepAnalysis.Analyse(context, measurements);
        observer?.OnInfo($"analysis (evaluations, tuning, bootstrap): {results.Analysis.TotalSeconds:0.0} s");
        return results;
    }

    /// <summary>A shard stores per-image outcomes, exactly what <c>merge</c> reads for a plain run.</summary>
    private static void SaveShard(Sources.ICandidateSource source, SweepMeasurements measurements, int[] selected, ulong planHash, TimingMachine machine, string outputDir)
    {
        var store = new ImageOutcomeStore(outputDir, planHash, machine);
        foreach (var outcome in SweepOutcomes.ToOutcomes(measurements, measurements.SourceIndices)) store.Save(outcome);
        foreach (var index in selected.Except(measurements.SourceIndices))
        {
            var image = source.Images[index];
            var prefix = $"{image.Event}/{image.ImageKey}: ";
            var error = measurements.SkippedImages.FirstOrDefault(x => x.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..] ?? "skipped";
            store.Save(new ImageOutcome { ImageIndex = index, Event = image.Event, ImageKey = image.ImageKey, Error = error, Cells = [] });
        }
    }
}
