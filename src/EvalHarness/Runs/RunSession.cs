using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EvalHarness.Datasets;
using EvalHarness.IO;
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
    public const string RunFile = "run.json";

    public static RunSessionResult Run(RunRequest request, IRunObserver? observer, CancellationToken cancellationToken = default)
    {
        if (request.Suite.Sweep is not null) return Sweeps.SweepSession.Run(request, observer, cancellationToken);
        var suite = request.Suite;
        var plan = PlanFor(suite, request.Shard, request.Strict);
        using var source = RunSources.CreateSource(suite, request.Root, request.ModelsDir, request.CacheRoot, observer is null ? null : observer.OnWarning);
        var description = source.Describe();
        var planHash = plan.Hash(description);
        var outputDir = request.OutputDir ?? FindResumable(request.ResultsRoot, suite.Name, planHash, request.Shard) ?? NewOutputDir(request.ResultsRoot, suite.Name, request.Shard);
        Directory.CreateDirectory(outputDir);
        var slots = RunSources.CreateBackends(suite);
        var devices = new string[slots.Count];
        for (var i = 0; i < slots.Count; i++) devices[i] = slots[i].Backend?.Device ?? "";
        var manifest = new RunManifest
        {
            Suite = suite.Name,
            SuiteJson = SuiteLoader.ToJson(suite),
            PlanHash = planHash.ToString("x16", CultureInfo.InvariantCulture),
            Source = description,
            Images = source.Images.Count,
            Shard = request.Shard?.ToString(),
            Devices = devices,
        };
        AtomicFile.WriteAllText(Path.Combine(outputDir, RunFile), JsonSerializer.Serialize(manifest, RunManifestJson.Default.RunManifest) + "\n");

        try
        {
            var store = new ImageOutcomeStore(outputDir, planHash);
            var counter = new CountingObserver(observer);
            var outcomes = new RunExecutor(source, plan, slots, store, counter).Execute(cancellationToken);
            var skipped = SkippedImages(outcomes);
            if (request.Shard is not null) return new RunSessionResult(outputDir, null, outcomes.Count, counter.Resumed, skipped);

            var results = Finish(suite, plan, source.GroundTruth, devices, outcomes, outputDir, request.WritePredictions);
            return new RunSessionResult(outputDir, results, outcomes.Count, counter.Resumed, skipped);
        }
        finally
        {
            foreach (var slot in slots) slot.Backend?.Dispose();
        }
    }

    /// <summary>
    /// Combines the stored outcomes of every shard of one plan into the results of an unsharded
    /// run. Shards must come from the same suite and candidate source and together cover every image.
    /// </summary>
    public static RunResults Merge(IReadOnlyList<string> shardDirs, string outputDir, string? root, bool writePredictions = false)
    {
        if (shardDirs.Count == 0) throw new UsageException("merge: name at least one shard folder");
        RunManifest? first = null;
        var outcomes = new SortedDictionary<int, ImageOutcome>();
        foreach (var dir in shardDirs)
        {
            var manifest = ReadManifest(dir);
            first ??= manifest;
            if (manifest.PlanHash != first.PlanHash || manifest.Source != first.Source)
            {
                throw new UsageException($"merge: {dir} was run with other parameters than {shardDirs[0]} (suite {manifest.Suite} vs {first.Suite})");
            }
            var store = new ImageOutcomeStore(dir, ulong.Parse(manifest.PlanHash, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            foreach (var index in store.StoredIndices())
            {
                var outcome = store.TryLoad(index, out var problem) ?? throw new DataFormatException(store.PathOf(index), 0, problem ?? "unusable image outcome");
                outcomes.TryAdd(index, outcome);
            }
        }
        var suite = SuiteLoader.Parse(first!.SuiteJson, Path.Combine(shardDirs[0], RunFile));
        var missing = new List<int>();
        for (var i = 0; i < first.Images; i++)
        {
            if (!outcomes.ContainsKey(i)) missing.Add(i);
        }
        if (missing.Count > 0)
        {
            throw new UsageException($"merge: {missing.Count} of {first.Images} images have no outcome in the given shards (first missing: image {missing[0]}); run the missing shard(s) first");
        }
        var (_, groundTruth) = RunSources.ResolveGroundTruth(suite, root);
        var plan = PlanFor(suite, null, strict: false);
        Directory.CreateDirectory(outputDir);
        AtomicFile.WriteAllText(Path.Combine(outputDir, RunFile), JsonSerializer.Serialize(first with { Shard = null }, RunManifestJson.Default.RunManifest) + "\n");
        if (suite.Sweep is not null) return Sweeps.SweepSession.FinishMerged(suite, [.. outcomes.Values], groundTruth, first.Devices, outputDir);
        return Finish(suite, plan, groundTruth, first.Devices, [.. outcomes.Values], outputDir, writePredictions);
    }

    public static RunPlan PlanFor(Suite suite, ShardSpec? shard, bool strict)
    {
        var backends = new List<string>(suite.Backends.Count);
        foreach (var b in suite.Backends) backends.Add(b.Name);
        return new RunPlan { Variants = suite.Variants, Backends = backends, Repeats = suite.Repeats, WarmUp = suite.Warmup, Shard = shard, Strict = strict };
    }

    private static RunResults Finish(Suite suite, RunPlan plan, GroundTruth groundTruth, IReadOnlyList<string> devices, IReadOnlyList<ImageOutcome> outcomes, string outputDir, bool writePredictions)
    {
        string? gpuName = null;
        for (var i = 0; i < plan.Backends.Count; i++)
        {
            if (plan.Backends[i] == "gpu" && devices[i].Length > 0) gpuName = devices[i];
        }
        var context = new AggregationContext
        {
            SuiteName = suite.Name,
            Dataset = suite.Dataset.ToString(),
            Plan = plan,
            VariantLabels = suite.VariantLabels(),
            GroundTruth = groundTruth,
            BackendDevices = devices,
            Bootstrap = new BootstrapOptions { Resamples = suite.BootstrapResamples, Seed = suite.BootstrapSeed },
            Environment = EnvironmentInfo.Capture(gpuName, null, DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory())),
            SuiteJson = SuiteLoader.ToJson(suite),
        };
        var results = RunAggregator.Aggregate(context, outcomes);
        RunExporters.WriteAll(results, outputDir);
        if (writePredictions) WritePredictionFolders(context, outcomes, Path.Combine(outputDir, "predictions"));
        return results;
    }

    /// <summary>One WIDER-format prediction folder per variant (from its first backend that ran it), for outside evaluators.</summary>
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
                    if (o.Error is not null) continue;
                    var d = o.Cells[cell].Detections;
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

    private static IReadOnlyList<string> SkippedImages(IReadOnlyList<ImageOutcome> outcomes)
    {
        var skipped = new List<string>();
        foreach (var o in outcomes)
        {
            if (o.Error is not null) skipped.Add($"{o.Event}/{o.ImageKey}: {o.Error}");
        }
        return skipped;
    }

    /// <summary>The newest unfinished results folder of this suite, plan and shard, if any.</summary>
    private static string? FindResumable(string resultsRoot, string suiteName, ulong planHash, ShardSpec? shard)
    {
        if (!Directory.Exists(resultsRoot)) return null;
        var candidates = Directory.GetDirectories(resultsRoot, $"*-{suiteName}{ShardSuffix(shard)}");
        Array.Sort(candidates, StringComparer.Ordinal);
        for (var i = candidates.Length - 1; i >= 0; i--)
        {
            var dir = candidates[i];
            if (File.Exists(Path.Combine(dir, ResultFiles.Summary))) continue;
            RunManifest manifest;
            try
            {
                manifest = ReadManifest(dir);
            }
            catch (EvalHarnessException)
            {
                continue;
            }
            if (manifest.PlanHash == planHash.ToString("x16", CultureInfo.InvariantCulture) && manifest.Shard == shard?.ToString()) return dir;
        }
        return null;
    }

    private static string NewOutputDir(string resultsRoot, string suiteName, ShardSpec? shard) =>
        Path.Combine(resultsRoot, $"{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{suiteName}{ShardSuffix(shard)}");

    private static string ShardSuffix(ShardSpec? shard) => shard is null ? "" : $"-shard{shard.Index}of{shard.Count}";

    private static RunManifest ReadManifest(string dir)
    {
        var path = Path.Combine(dir, RunFile);
        if (!File.Exists(path)) throw new UsageException($"{dir}: not a run folder (no {RunFile})");
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), RunManifestJson.Default.RunManifest)
                ?? throw new DataFormatException(path, 0, "empty run manifest");
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, (int)(ex.LineNumber ?? 0) + 1, $"not a valid run manifest: {ex.Message}", ex);
        }
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
    }
}

/// <summary>The run folder's <c>run.json</c>: what produced the stored outcomes, for resume and merge.</summary>
public sealed record RunManifest
{
    public required string Suite { get; init; }
    public required string SuiteJson { get; init; }
    public required string PlanHash { get; init; }
    public required string Source { get; init; }
    public required int Images { get; init; }
    public string? Shard { get; init; }

    /// <summary>What executed each planned backend (empty where it was absent).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunManifest))]
internal sealed partial class RunManifestJson : JsonSerializerContext;
