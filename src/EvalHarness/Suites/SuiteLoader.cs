using System.Globalization;
using System.Text.Json;
using EvalHarness.IO;

namespace EvalHarness.Suites;

/// <summary>Loads suites: built-in ones (embedded <c>Suites/*.json</c>) by name, others from a JSON file.</summary>
public static class SuiteLoader
{
    /// <summary>Sizes beyond which a suite cannot finish (time, memory or integer range); refused up front, with the limit.</summary>
    public static class Limits
    {
        public const int NameLength = 100;
        public const int SyntheticImages = 1_000_000;
        public const int Repeats = 10_000;
        public const int Warmup = 10_000;
        public const int Batch = 4_096;
        public const int BootstrapResamples = 1_000_000;
    }

    public static readonly string[] KnownBackends = ["scalar", "simd", "gpu"];
    public static readonly string[] KnownDetectorModes = ["letterbox", "tiles", "pyramid"];
    private const string ResourcePrefix = "EvalHarness.Suites.";

    /// <summary>Names of the built-in suites.</summary>
    public static IReadOnlyList<string> BuiltInNames
    {
        get
        {
            var names = new List<string>();
            foreach (var resource in typeof(SuiteLoader).Assembly.GetManifestResourceNames())
            {
                if (resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) && resource.EndsWith(".json", StringComparison.Ordinal))
                {
                    names.Add(resource[ResourcePrefix.Length..^".json".Length]);
                }
            }
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <summary>A path to an existing file loads that file; anything else must name a built-in suite.</summary>
    public static Suite Load(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Parse(File.ReadAllText(nameOrPath), nameOrPath);
        var stream = typeof(SuiteLoader).Assembly.GetManifestResourceStream(ResourcePrefix + nameOrPath + ".json");
        if (stream is null)
        {
            throw new UsageException($"unknown suite '{nameOrPath}': not a file, and not a built-in suite ({string.Join(", ", BuiltInNames)})");
        }
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"built-in suite '{nameOrPath}'");
    }

    /// <summary>Parses and validates suite JSON; <paramref name="source"/> names it in every error.</summary>
    public static Suite Parse(string json, string source)
    {
        SuiteDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(json, SuiteJsonContext.Default.SuiteDocument);
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(source, (int)(ex.LineNumber ?? -1) + 1, $"not a valid suite: {JsonErrors.Describe(ex)}", ex);
        }
        if (doc is null) throw new DataFormatException(source, 0, "empty suite");
        return Validate(doc, source);
    }

    public static Suite Validate(SuiteDocument doc, string source)
    {
        UsageException Bad(string problem) => new($"suite {source}: {problem}");

        if (string.IsNullOrWhiteSpace(doc.Name)) throw Bad("'name' is required");
        if (doc.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) throw Bad($"name '{doc.Name}' must be usable as a folder name");
        if (doc.Name.Length > Limits.NameLength) throw Bad($"name is {doc.Name.Length} characters long; at most {Limits.NameLength} (it becomes part of the results folder's name)");
        if (doc.Output is not null) throw Bad("'output' is not a suite setting: results go to results/<timestamp>-<name>; choose a folder with run --out DIR");

        var dataset = ValidateDataset(doc.Dataset, Bad);
        if (doc.Detector is not null && doc.Detectors is not null) throw Bad("give either 'detector' or 'detectors', not both");
        var detectorDocs = doc.Detectors ?? (doc.Detector is { } single ? [single] : []);
        if (doc.Detectors is { Count: 0 }) throw Bad("'detectors' must list at least one detector");
        var detectors = new List<DetectorSpec>(detectorDocs.Count);
        foreach (var d in detectorDocs)
        {
            var mode = d.Mode ?? "tiles";
            if (!KnownDetectorModes.Contains(mode)) throw Bad($"detector mode '{mode}' is not one of {string.Join(", ", KnownDetectorModes)}");
            if (d.TileSize is <= 0) throw Bad("detector tileSize must be positive");
            if (d.TileOverlap is < 0) throw Bad("detector tileOverlap must not be negative");
            if (d.TileSize is { } size && d.TileOverlap is { } overlap && overlap >= size) throw Bad($"detector tileOverlap {overlap} must be smaller than tileSize {size}");
            var spec = new DetectorSpec { Model = string.IsNullOrWhiteSpace(d.Model) ? "blazeface-back" : d.Model, Mode = mode, TileSize = d.TileSize, TileOverlap = d.TileOverlap };
            if (detectors.Exists(other => other.Label == spec.Label)) throw Bad($"detector '{spec.Label}' is listed twice");
            detectors.Add(spec);
        }
        if (detectors.Count == 0 && dataset.Kind == DatasetKind.WiderFace) throw Bad("a widerface dataset needs a 'detector' (or 'detectors')");
        var detector = detectors.Count > 0 ? detectors[0] : null;

        if (doc.Variants is not { Count: > 0 }) throw Bad("'variants' must list at least one variant");
        Sweeps.GridExpansion expansion;
        try
        {
            expansion = Sweeps.GridExpansion.Expand(doc.Variants, doc.MaxConfigs ?? Sweeps.GridExpansion.DefaultMaxConfigs);
        }
        catch (UsageException ex)
        {
            throw Bad(ex.Message);
        }
        var variants = expansion.Configurations;
        SweepSpec? sweep = null;
        if (expansion.HasLists || doc.Tuning is not null || doc.MaxConfigs is not null)
        {
            sweep = new SweepSpec
            {
                Grids = expansion.Grids,
                MaxConfigs = doc.MaxConfigs ?? Sweeps.GridExpansion.DefaultMaxConfigs,
                Tuning = ValidateTuning(doc.Tuning, Bad),
            };
        }

        if (doc.Backends is not { Count: > 0 }) throw Bad("'backends' must list at least one backend");
        var backends = new List<BackendRequest>(doc.Backends.Count);
        foreach (var text in doc.Backends)
        {
            var trimmed = (text ?? "").Trim();
            var optional = trimmed.EndsWith('?');
            var name = optional ? trimmed[..^1] : trimmed;
            if (!KnownBackends.Contains(name)) throw Bad($"unknown backend '{text}'; known: {string.Join(", ", KnownBackends)} (append '?' to make one optional)");
            if (backends.Exists(b => b.Name == name)) throw Bad($"backend '{name}' is listed twice");
            backends.Add(new BackendRequest(name, optional));
        }

        var repeats = doc.Repeats ?? (sweep is null ? 5 : SweepSpec.DefaultRepeats);
        if (repeats < 1) throw Bad($"repeats must be at least 1, not {repeats}");
        if (repeats > Limits.Repeats) throw Bad($"repeats {repeats} is above the limit of {Limits.Repeats}");
        var warmup = doc.Warmup ?? 1;
        if (warmup < 0) throw Bad($"warmup must not be negative, not {warmup}");
        if (warmup > Limits.Warmup) throw Bad($"warmup {warmup} is above the limit of {Limits.Warmup}");
        var batch = doc.Batch ?? Runs.RunPlan.DefaultBatchSize;
        if (BatchProblem(batch, "batch") is { } problem) throw Bad(problem);
        var resamples = doc.BootstrapResamples ?? 1000;
        if (resamples < 100) throw Bad($"bootstrapResamples must be at least 100 for a 95% interval, not {resamples}");
        if (resamples > Limits.BootstrapResamples) throw Bad($"bootstrapResamples {resamples} is above the limit of {Limits.BootstrapResamples}");
        var shard = doc.Shard is null ? null : ParseShard(doc.Shard, Bad);

        return new Suite
        {
            Name = doc.Name,
            Source = source,
            Dataset = dataset,
            Detector = detector,
            Detectors = detectors,
            Variants = variants,
            Backends = backends,
            Repeats = repeats,
            Warmup = warmup,
            Batch = batch,
            BootstrapResamples = resamples,
            BootstrapSeed = doc.BootstrapSeed ?? Metrics.Statistics.BootstrapOptions.DefaultSeed,
            Shard = shard,
            Sweep = sweep,
        };
    }

    private static Sweeps.TuningSpec ValidateTuning(TuningDocument? t, Func<string, UsageException> bad)
    {
        if (t is null) return new Sweeps.TuningSpec();
        try
        {
            var folds = t.Folds ?? Sweeps.TuningSpec.DefaultFolds;
            if (folds < 2) throw bad($"tuning folds must be at least 2, not {folds}");
            return new Sweeps.TuningSpec { Objective = t.Objective is null ? Sweeps.TuningObjective.HardAp : Sweeps.TuningObjective.Parse(t.Objective), Folds = folds };
        }
        catch (UsageException ex) when (!ex.Message.StartsWith("suite ", StringComparison.Ordinal))
        {
            throw bad(ex.Message);
        }
    }

    // '+' in variant names (gc+nms) stays '+' in suite.json instead of \u002B; the file is read by people.
    private static readonly SuiteJsonContext ReadableJson = new(new JsonSerializerOptions(SuiteJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Parses <c>"i/n"</c> (1-based, 1 ≤ i ≤ n).</summary>
    public static ShardSpec ParseShard(string text) => ParseShard(text, problem => new UsageException(problem));

    /// <summary>The resolved suite as JSON (canonical variant strings), for suite.json.</summary>
    public static string ToJson(Suite suite)
    {
        var doc = new SuiteDocument
        {
            Name = suite.Name,
            Dataset = new DatasetDocument
            {
                Kind = suite.Dataset.Kind == DatasetKind.Synthetic ? "synthetic" : "widerface",
                Seed = suite.Dataset.Kind == DatasetKind.Synthetic ? suite.Dataset.Seed : null,
                Images = suite.Dataset.Kind == DatasetKind.Synthetic ? suite.Dataset.Images : null,
                Split = suite.Dataset.Kind == DatasetKind.WiderFace ? suite.Dataset.Split : null,
                Root = suite.Dataset.Root,
                Events = suite.Dataset.Events?.ToList(),
                MaxImages = suite.Dataset.MaxImages,
            },
            Detector = suite.Detectors.Count <= 1 && suite.Detector is { } d ? ToDocument(d) : null,
            Detectors = suite.Detectors.Count > 1 ? suite.Detectors.Select(ToDocument).ToList() : null,
            // A sweep keeps its grids as written, so the copy in suite.json is again a sweep.
            Variants = suite.Sweep is { } sw ? sw.Grids.Select(g => g.Text).ToList() : suite.Variants.Select(v => v.ToString()).ToList(),
            Backends = suite.Backends.Select(b => b.ToString()).ToList(),
            Repeats = suite.Repeats,
            Warmup = suite.Warmup,
            Batch = suite.Batch,
            BootstrapResamples = suite.BootstrapResamples,
            BootstrapSeed = suite.BootstrapSeed,
            Shard = suite.Shard?.ToString(),
            MaxConfigs = suite.Sweep?.MaxConfigs,
            Tuning = suite.Sweep is { } tuned ? new TuningDocument { Objective = tuned.Tuning.Objective.ToString(), Folds = tuned.Tuning.Folds } : null,
        };
        return JsonSerializer.Serialize(doc, ReadableJson.SuiteDocument);
    }

    private static DatasetSpec ValidateDataset(DatasetDocument? d, Func<string, UsageException> bad)
    {
        if (d is null) throw bad("'dataset' is required");
        switch (d.Kind?.Trim().ToLowerInvariant())
        {
            case "synthetic":
                if (d.Images is not > 0) throw bad("a synthetic dataset needs 'images' > 0");
                if (d.Images > Limits.SyntheticImages) throw bad($"images {d.Images} is above the limit of {Limits.SyntheticImages} for a synthetic dataset");
                if (d.Seed > int.MaxValue) throw bad($"seed {d.Seed} is above the limit of {int.MaxValue}");
                if (d.Split is not null || d.Root is not null || d.Events is not null) throw bad("a synthetic dataset takes only 'seed' and 'images'");
                return new DatasetSpec { Kind = DatasetKind.Synthetic, Seed = d.Seed ?? 1, Images = d.Images.Value };
            case "widerface":
                var split = d.Split ?? "val";
                if (split is not ("val" or "train")) throw bad($"widerface split must be 'val' or 'train', not '{split}'");
                if (d.Images is not null || d.Seed is not null) throw bad("'images' and 'seed' are for synthetic datasets; use 'maxImages' to cap a widerface run");
                if (d.MaxImages is <= 0) throw bad("maxImages must be positive");
                if (d.Events is { } events && events.Exists(string.IsNullOrWhiteSpace)) throw bad("empty event name in 'events'");
                return new DatasetSpec { Kind = DatasetKind.WiderFace, Split = split, Root = d.Root, Events = d.Events, MaxImages = d.MaxImages };
            default:
                throw bad($"dataset kind must be 'synthetic' or 'widerface', not '{d.Kind}'");
        }
    }

    private static ShardSpec ParseShard(string text, Func<string, UsageException> bad)
    {
        var slash = text.IndexOf('/');
        if (slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index >= 1 && index <= count)
        {
            return new ShardSpec(index, count);
        }
        throw bad($"shard '{text}' must be i/n with 1 ≤ i ≤ n, e.g. 2/4");
    }

    private static DetectorDocument ToDocument(DetectorSpec d) => new() { Model = d.Model, Mode = d.Mode, TileSize = d.TileSize, TileOverlap = d.TileOverlap };

    /// <summary>Why <paramref name="batch"/> is not a usable batch size (null when it is), worded for the setting <paramref name="name"/>.</summary>
    public static string? BatchProblem(int batch, string name) =>
        batch < 1 ? $"{name} must be at least 1, not {batch}"
        : batch > Limits.Batch ? $"{name} {batch} is above the limit of {Limits.Batch}"
        : null;
}
