using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;
using EvalHarness.Suites;

namespace EvalHarness.Runs;

/// <summary>What the <c>run</c> verb asks for; everything but the suite is optional.</summary>
public sealed record RunRequest
{
    public required Suite Suite { get; init; }
    public string? Root { get; init; }
    public string? ModelsDir { get; init; }

    /// <summary>The results folder; null picks an unfinished run of the same suite to resume, else a new timestamped one.</summary>
    public string? OutputDir { get; init; }

    /// <summary>Where new timestamped results folders go.</summary>
    public string ResultsRoot { get; init; } = "results";

    /// <summary>Where candidate caches of real detectors live (shared by runs).</summary>
    public string CacheRoot { get; init; } = Path.Combine("results", ".cache");

    public ShardSpec? Shard { get; init; }
    public bool Strict { get; init; }
    public bool WritePredictions { get; init; }
}

/// <summary>Where a run ended: its folder and, for an unsharded run, its results.</summary>
public sealed record RunSessionResult(string OutputDir, RunResults? Results, int ImagesProcessed, int ImagesResumed, IReadOnlyList<string> SkippedImages);

/// <summary>
/// Runs a suite end to end: candidate source and backends from the suite, the executor over
/// every image (resuming what a previous attempt stored), then aggregation and every exporter.
/// A shard stops after storing its per-image outcomes; <see cref="Merge"/> finishes the job.
/// </summary>
public static class RunSession
{
    public static RunSessionResult Run(RunRequest request, IRunObserver? observer, CancellationToken cancellationToken = default)
    {
        if (request.Suite.Sweep is not null) return Sweeps.SweepSession.Run(request, observer, cancellationToken);
        var suite = request.Suite;
        var plan = PlanFor(suite, request.Shard, request.Strict);
        using var source = RunSources.CreateSource(suite, request.Root, request.ModelsDir, request.CacheRoot, observer is null ? null : observer.OnWarning);
        var description = source.Describe();
        var imageListHash = RunFolder.ImageListHash(source.Images);
        var planHash = plan.Hash(description, imageListHash);
        var fingerprint = planHash.ToString("x16", CultureInfo.InvariantCulture);
        using var folder = request.OutputDir is { } explicitDir
            ? RunFolder.OpenForWriting(explicitDir)
            : RunFolder.ClaimResumable(request.ResultsRoot, suite.Name, fingerprint, request.Shard) ?? RunFolder.CreateNew(request.ResultsRoot, suite.Name, request.Shard, DateTime.UtcNow);
        var outputDir = folder.Path;
        var slots = RunSources.CreateBackends(suite);
        var devices = new string[slots.Count];
        for (var i = 0; i < slots.Count; i++) devices[i] = slots[i].Backend?.Device ?? "";
        folder.WriteManifest(new RunManifest
        {
            Suite = suite.Name,
            SuiteJson = SuiteLoader.ToJson(suite),
            PlanHash = fingerprint,
            Source = description,
            Images = source.Images.Count,
            ImageListSha256 = imageListHash,
            Shard = request.Shard?.ToString(),
            Devices = devices,
        });

        try
        {
            var store = new ImageOutcomeStore(outputDir, planHash, TimingMachine.Current(devices));
            var counter = new CountingObserver(observer);
            var outcomes = new RunExecutor(source, plan, slots, store, counter).Execute(cancellationToken);
            var skipped = SkippedImages(outcomes);
            if (request.Shard is not null)
            {
                folder.MarkComplete(outcomes.Count);
                return new RunSessionResult(outputDir, null, outcomes.Count, counter.Resumed, skipped);
            }

            RequireUsableImages(outcomes, outputDir);
            cancellationToken.ThrowIfCancellationRequested();
            observer?.OnPhase($"evaluating: AP and {suite.BootstrapResamples} bootstrap resamples per row, then charts and report");
            var results = Finish(suite, plan, source.GroundTruth, devices, outcomes, outputDir, request.WritePredictions, request.Root);
            folder.MarkComplete(outcomes.Count);
            return new RunSessionResult(outputDir, results, outcomes.Count, counter.Resumed, skipped);
        }
        finally
        {
            foreach (var slot in slots) slot.Backend?.Dispose();
        }
    }

    /// <summary>
    /// Combines the stored outcomes of every shard of one plan into the results of an unsharded
    /// run. Shards must come from the same suite, candidate source and image list, be finished,
    /// not overlap, and together cover every image; the output folder must not be one of them.
    /// </summary>
    public static RunResults Merge(IReadOnlyList<string> shardDirs, string outputDir, string? root, bool writePredictions = false)
    {
        if (shardDirs.Count == 0) throw new UsageException("merge: name at least one shard folder");
        var outputFull = Path.GetFullPath(outputDir).TrimEnd(Path.DirectorySeparatorChar);
        RunManifest? first = null;
        var seenDirs = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenShards = new Dictionary<string, string>(StringComparer.Ordinal);
        var outcomes = new SortedDictionary<int, ImageOutcome>();
        var owners = new Dictionary<int, string>();
        foreach (var dir in shardDirs)
        {
            var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
            if (!seenDirs.TryAdd(full, dir)) throw new UsageException($"merge: {dir} is named twice");
            if (full == outputFull) throw new UsageException($"merge: --out {outputDir} is one of the shard folders; merge into a new folder");
            var manifest = RunFolder.ReadManifest(dir);
            first ??= manifest;
            if (manifest.PlanHash != first.PlanHash || manifest.Source != first.Source)
            {
                throw new UsageException($"merge: {dir} was run with other parameters than {shardDirs[0]} (suite {manifest.Suite} vs {first.Suite})");
            }
            var shardText = manifest.Shard ?? "(unsharded)";
            if (!seenShards.TryAdd(shardText, dir)) throw new UsageException($"merge: {dir} and {seenShards[shardText]} are both shard {shardText}");
            RunFolder.RequireCompleteIfRunFolder(dir);
            var store = new ImageOutcomeStore(dir, ulong.Parse(manifest.PlanHash, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            foreach (var index in store.StoredIndices())
            {
                var outcome = store.TryLoad(index, null, out var problem) ?? throw new DataFormatException(store.PathOf(index), 0, problem ?? "unusable image outcome");
                if (!outcomes.TryAdd(index, outcome))
                {
                    throw new UsageException($"merge: image {index} ({outcome.Event}/{outcome.ImageKey}) is in both {owners[index]} and {dir}: the shards overlap (shards of different counts?)");
                }
                owners[index] = dir;
            }
        }
        var suite = SuiteLoader.Parse(first!.SuiteJson, Path.Combine(shardDirs[0], RunFolder.ManifestFile));
        var missing = new List<int>();
        for (var i = 0; i < first.Images; i++)
        {
            if (!outcomes.ContainsKey(i)) missing.Add(i);
        }
        if (missing.Count > 0)
        {
            throw new UsageException($"merge: {missing.Count} of {first.Images} images have no outcome in the given shards (first missing: image {missing[0]}); run the missing shard(s) first");
        }
        var (images, groundTruth) = RunSources.ResolveGroundTruth(suite, root);
        if (first.ImageListSha256 is { } expected && RunFolder.ImageListHash(images) != expected)
        {
            throw new UsageException($"merge: the image list under {root ?? suite.Dataset.Root ?? DataPaths.WiderFaceRootVariable} is not the one the shards ran on ({images.Count} images now, {first.Images} then); pass the --root they used");
        }
        foreach (var (index, outcome) in outcomes)
        {
            if (index >= images.Count || images[index].Event != outcome.Event || images[index].ImageKey != outcome.ImageKey)
            {
                throw new UsageException($"merge: stored image {index} is {outcome.Event}/{outcome.ImageKey}, but the image list has {(index < images.Count ? images[index].Event + "/" + images[index].ImageKey : "no such image")}");
            }
        }
        var plan = PlanFor(suite, null, strict: false);
        if (Directory.Exists(Path.Combine(outputDir, ImageOutcomeStore.FolderName)))
        {
            throw new UsageException($"merge: --out {outputDir} holds a run's image outcomes (a shard or run folder); merge into a new folder");
        }
        using var folder = RunFolder.OpenForWriting(outputDir);
        folder.WriteManifest(first with { Shard = null });
        var outcomeList = new List<ImageOutcome>(outcomes.Values);
        RequireUsableImages(outcomeList, outputDir);
        var results = suite.Sweep is not null
            ? Sweeps.SweepSession.FinishMerged(suite, outcomeList, groundTruth, first.Devices, outputDir)
            : Finish(suite, plan, groundTruth, first.Devices, outcomeList, outputDir, writePredictions, root);
        folder.MarkComplete(outcomeList.Count);
        return results;
    }

    /// <summary>No image with candidates means nothing to evaluate: say so instead of failing deep in the statistics.</summary>
    private static void RequireUsableImages(IReadOnlyList<ImageOutcome> outcomes, string outputDir)
    {
        foreach (var o in outcomes)
        {
            if (o.Error is null) return;
        }
        var firstError = outcomes.Count > 0 ? $" (first: {outcomes[0].Event}/{outcomes[0].ImageKey}: {outcomes[0].Error})" : "";
        throw new UsageException($"no usable images: all {outcomes.Count} images of the run were skipped{firstError}; nothing to evaluate in {outputDir}");
    }

    public static RunPlan PlanFor(Suite suite, ShardSpec? shard, bool strict)
    {
        var backends = new List<string>(suite.Backends.Count);
        foreach (var b in suite.Backends) backends.Add(b.Name);
        return new RunPlan { Variants = suite.Variants, Backends = backends, Repeats = suite.Repeats, WarmUp = suite.Warmup, BatchSize = suite.Batch, Shard = shard, Strict = strict };
    }

    private static RunResults Finish(Suite suite, RunPlan plan, GroundTruth groundTruth, IReadOnlyList<string> devices, IReadOnlyList<ImageOutcome> outcomes, string outputDir, bool writePredictions, string? root)
    {
        string? gpuName = null;
        for (var i = 0; i < plan.Backends.Count; i++)
        {
            if (plan.Backends[i] == "gpu" && devices[i].Length > 0) gpuName = devices[i];
        }
        var context = new AggregationContext
        {
            SuiteName = suite.Name,
            Detector = suite.DetectorLabel,
            Dataset = suite.Dataset.DescribeWithoutCount(),
            Plan = plan,
            VariantLabels = suite.VariantLabels(),
            GroundTruth = groundTruth,
            BackendDevices = devices,
            Bootstrap = new BootstrapOptions { Resamples = suite.BootstrapResamples, Seed = suite.BootstrapSeed },
            Environment = EnvironmentInfo.Capture(gpuName, null, DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory())),
            SuiteJson = SuiteLoader.ToJson(suite),
            BreakdownKinds = BreakdownKindsFor(suite, groundTruth, root),
        };
        var results = RunAggregator.Aggregate(context, outcomes);
        RunExporters.WriteAll(results, outputDir);
        if (writePredictions) WritePredictionFolders(context, outcomes, Path.Combine(outputDir, "predictions"));
        return results;
    }

    /// <summary>
    /// The report's breakdown: face height always; the annotation attributes for WIDER FACE when
    /// <c>wider_face_val_bbx_gt.txt</c> is found and agrees with the ground truth (else height only:
    /// the AP tables never depend on it).
    /// </summary>
    private static IReadOnlyList<BreakdownKind> BreakdownKindsFor(Suite suite, GroundTruth groundTruth, string? root)
    {
        if (suite.Dataset.Kind != DatasetKind.WiderFace || DataPaths.ResolveWiderFaceRoot(root ?? suite.Dataset.Root) is not { } widerRoot) return [BreakdownKind.Height];
        try
        {
            var gtDir = WiderGroundTruthLoader.ResolveGroundTruthDir(widerRoot);
            if (FaceAttributeFile.Find(gtDir, widerRoot) is not { } path) return [BreakdownKind.Height];
            return [BreakdownKind.Height, .. BreakdownKind.Attributes(FaceAttributeFile.Load(path, groundTruth, new List<string>()))];
        }
        catch (EvalHarnessException)
        {
            return [BreakdownKind.Height];
        }
    }

    /// <summary>
    /// One WIDER-format prediction folder per variant (from its first backend that ran it), for
    /// outside evaluators. Every image of the run's list gets a file: a skipped image an empty one
    /// (count 0), since the python port stops with a KeyError at the first missing file. An outside
    /// evaluation therefore counts a skipped image's faces as missed, where the run leaves them out.
    /// </summary>
    private static void WritePredictionFolders(AggregationContext context, IReadOnlyList<ImageOutcome> outcomes, string root)
    {
        var plan = context.Plan;
        for (var v = 0; v < plan.Variants.Count; v++)
        {
            for (var b = 0; b < plan.Backends.Count; b++)
            {
                var cell = plan.CellIndex(v, b);
                var allOk = true;
                foreach (var o in outcomes) allOk &= o.Error is not null || o.Cells[cell].Status == CellStatus.Ok;
                if (!allOk) continue;
                var folder = Path.Combine(root, SafeFolderName(context.VariantLabels[v]));
                foreach (var o in outcomes)
                {
                    var d = o.Error is null ? o.Cells[cell].Detections : [];
                    var n = d.Length / 5;
                    var x1 = new float[n]; var y1 = new float[n]; var x2 = new float[n]; var y2 = new float[n]; var s = new float[n];
                    for (var i = 0; i < n; i++)
                    {
                        x1[i] = d[i * 5]; y1[i] = d[(i * 5) + 1]; x2[i] = d[(i * 5) + 2]; y2[i] = d[(i * 5) + 3]; s[i] = d[(i * 5) + 4];
                    }
                    PredictionFolderWriter.WriteImage(folder, o.Event, o.ImageKey, x1, y1, x2, y2, s);
                }
                break;
            }
        }
    }

    private static string SafeFolderName(string label)
    {
        var chars = label.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '.' or '-' or '+' or '_' or '=' or ',')) chars[i] = '_';
        }
        return new string(chars);
    }

    private static List<string> SkippedImages(IReadOnlyList<ImageOutcome> outcomes)
    {
        var skipped = new List<string>();
        foreach (var o in outcomes)
        {
            if (o.Error is not null) skipped.Add($"{o.Event}/{o.ImageKey}: {o.Error}");
        }
        return skipped;
    }

    /// <summary>Counts resumed images while passing everything on.</summary>
    private sealed class CountingObserver(IRunObserver? inner) : IRunObserver
    {
        public int Resumed { get; private set; }

        public void OnImageDone(RunProgress progress)
        {
            if (progress.Resumed) Resumed++;
            inner?.OnImageDone(progress);
        }

        public void OnWarning(string message) => inner?.OnWarning(message);

        public void OnPhase(string description) => inner?.OnPhase(description);
    }
}
