using System.Text.Json.Serialization;

namespace EvalHarness.Suites;

/// <summary>
/// The JSON form of a suite (camelCase; comments and trailing commas allowed; unknown keys are
/// errors so a typo never silently falls back to a default):
/// <code>
/// {
///   "name": "quick",
///   "dataset": { "kind": "synthetic", "seed": 1, "images": 24 },          // or "widerface", "split", "root", "events", "maxImages"
///   "detector": { "model": "blazeface-back", "mode": "tiles", "tileSize": 256, "tileOverlap": 64 },
///   "variants": [ "nms", "gc+nms(r=1,k=2)" ],                             // VariantSpec syntax
///   "backends": [ "scalar", "simd", "gpu?" ],                             // "?" = optional
///   "repeats": 3, "warmup": 1, "bootstrapResamples": 1000, "bootstrapSeed": 1,
///   "batch": 16,                                                          // images per GPU call (1: image by image)
///   "output": "results/quick",
///   "shard": "1/4",                                                       // optional
///   "maxConfigs": 500,                                                    // sweeps: a variant may list values, "nms(iou=[0.3,0.4])"
///   "tuning": { "objective": "hard-ap", "folds": 2 }                      // sweeps: held-out tuning (hard-ap, mean-ap, hard-ap@latency&lt;=X)
/// }
/// </code>
/// </summary>
public sealed class SuiteDocument
{
    public string? Name { get; set; }
    public DatasetDocument? Dataset { get; set; }
    public DetectorDocument? Detector { get; set; }

    /// <summary>Several detectors: the suite runs once per detector (each against its own <c>nms</c>); the single <see cref="Detector"/> stays valid.</summary>
    public List<DetectorDocument>? Detectors { get; set; }
    public List<string>? Variants { get; set; }
    public List<string>? Backends { get; set; }
    public int? Repeats { get; set; }
    public int? Warmup { get; set; }
    public int? Batch { get; set; }
    public int? BootstrapResamples { get; set; }
    public ulong? BootstrapSeed { get; set; }

    /// <summary>Not a setting: refused with a pointer to <c>run --out</c> (it used to be accepted and ignored).</summary>
    public string? Output { get; set; }
    public string? Shard { get; set; }
    public int? MaxConfigs { get; set; }
    public TuningDocument? Tuning { get; set; }
}

public sealed class TuningDocument
{
    public string? Objective { get; set; }
    public int? Folds { get; set; }
}

public sealed class DatasetDocument
{
    public string? Kind { get; set; }
    public ulong? Seed { get; set; }
    public int? Images { get; set; }
    public string? Split { get; set; }
    public string? Root { get; set; }
    public List<string>? Events { get; set; }
    public int? MaxImages { get; set; }
}

public sealed class DetectorDocument
{
    public string? Model { get; set; }
    public string? Mode { get; set; }
    public int? TileSize { get; set; }
    public int? TileOverlap { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SuiteDocument))]
internal sealed partial class SuiteJsonContext : JsonSerializerContext;
