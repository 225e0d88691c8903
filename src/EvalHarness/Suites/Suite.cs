using EvalHarness.PostProcessing;

namespace EvalHarness.Suites;

/// <summary>
/// A benchmark suite, validated: what to evaluate, with which detector, which variants on which
/// backends, how often, and where to write. Load with <see cref="SuiteLoader"/>; the JSON form is
/// documented on <see cref="SuiteDocument"/>.
/// </summary>
public sealed record Suite
{
    public required string Name { get; init; }

    /// <summary>Where the suite came from ("built-in quick" or a file path), for messages.</summary>
    public required string Source { get; init; }

    public required DatasetSpec Dataset { get; init; }

    /// <summary>The detector (the first of <see cref="Detectors"/>); null for a synthetic dataset, whose candidate maps need none.</summary>
    public DetectorSpec? Detector { get; init; }

    /// <summary>Every detector of the suite, in order; one entry for a single-detector suite, none for a synthetic one.</summary>
    public IReadOnlyList<DetectorSpec> Detectors { get; init; } = [];

    /// <summary>
    /// This suite restricted to one of its detectors (what one run of a several-detector suite
    /// executes), named <c>&lt;suite&gt;.&lt;detector label&gt;</c> so that its CSVs, report, baseline
    /// folder and suite.json all say which detector they are about.
    /// </summary>
    /// <summary>The label every result row of this suite carries: its detector's, or <c>synthetic</c> for seeded maps.</summary>
    public string DetectorLabel => Detector?.Label ?? Reporting.RunResults.SyntheticDetector;

    public Suite ForDetector(DetectorSpec detector) => this with { Name = $"{Name}.{detector.Label}", Detector = detector, Detectors = [detector] };

    public required IReadOnlyList<VariantSpec> Variants { get; init; }
    public required IReadOnlyList<BackendRequest> Backends { get; init; }

    /// <summary>Timed repetitions of every variant × backend over every image.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Untimed passes before timing (JIT, caches, GPU kernel loading).</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>
    /// Images per call for backends that prefer batches (the GPU), whose per-image latency is then
    /// the batch's time over its images; 1 runs them image by image. Sweeps time image by image.
    /// </summary>
    public int Batch { get; init; } = Runs.RunPlan.DefaultBatchSize;

    public int BootstrapResamples { get; init; } = 1000;
    public ulong BootstrapSeed { get; init; } = Metrics.Statistics.BootstrapOptions.DefaultSeed;

    public ShardSpec? Shard { get; init; }

    /// <summary>Set when some variant lists parameter values or the suite asks for tuning: the run is a sweep.</summary>
    public SweepSpec? Sweep { get; init; }

    /// <summary>The label each variant gets in the results: its name, or its canonical spec when two variants share a name.</summary>
    public IReadOnlyList<string> VariantLabels()
    {
        var labels = new List<string>(Variants.Count);
        foreach (var v in Variants)
        {
            var shared = 0;
            foreach (var other in Variants)
            {
                if (other.Kind == v.Kind) shared++;
            }
            labels.Add(shared > 1 ? v.ToString() : v.Name);
        }
        return labels;
    }
}

/// <summary>
/// A sweep: the variant entries as written (grids; <see cref="Suite.Variants"/> holds their
/// expansion), the held-out tuning, and the configuration cap.
/// </summary>
public sealed record SweepSpec
{
    public required IReadOnlyList<Sweeps.VariantGrid> Grids { get; init; }
    public Sweeps.TuningSpec Tuning { get; init; } = new();
    public int MaxConfigs { get; init; } = Sweeps.GridExpansion.DefaultMaxConfigs;

    /// <summary>Timed repeats when a sweep does not say (a plain run's default is 5).</summary>
    public const int DefaultRepeats = 3;
}

public enum DatasetKind
{
    Synthetic,
    WiderFace,
}

/// <summary>
/// The images: <c>synthetic</c> (seeded candidate maps: <see cref="Seed"/>, <see cref="Images"/>)
/// or <c>widerface</c> (<see cref="Split"/>, optional <see cref="Root"/> — else WIDERFACE_ROOT —,
/// optional <see cref="Events"/> and <see cref="MaxImages"/> to run a subset).
/// </summary>
public sealed record DatasetSpec
{
    public required DatasetKind Kind { get; init; }
    public ulong Seed { get; init; }
    public int Images { get; init; }
    public string Split { get; init; } = "val";
    public string? Root { get; init; }
    public IReadOnlyList<string>? Events { get; init; }
    public int? MaxImages { get; init; }

    /// <summary>
    /// The data without the synthetic image count, for results that state the count of images
    /// they evaluated next to it ("synthetic (seed 1), 24 images", not "… 24 images), 24 images").
    /// </summary>
    public string DescribeWithoutCount() => Kind == DatasetKind.Synthetic ? $"synthetic (seed {Seed})" : ToString();

    public override string ToString() => Kind == DatasetKind.Synthetic
        ? $"synthetic (seed {Seed}, {Images} images)"
        : $"WIDER FACE {Split}{(Events is { Count: > 0 } ? Events.Count == 1 ? $" (event {Events[0]})" : $" ({Events.Count} events)" : "")}{(MaxImages is { } m ? $", at most {m} images" : "")}";
}

/// <summary>The detector: model id, how images are fed (<c>resize</c> or <c>tiles</c>), tile geometry.</summary>
public sealed record DetectorSpec
{
    public string Model { get; init; } = "blazeface-back";
    public string Mode { get; init; } = "tiles";
    public int? TileSize { get; init; }
    public int? TileOverlap { get; init; }

    /// <summary>A short name for folders, CSV columns and tables: model and mode (e.g. <c>faceapi-ssd letterbox</c> → <c>faceapi-ssd-letterbox</c>).</summary>
    public string Label => $"{Model}-{Mode}".ToLowerInvariant();
}

/// <summary>A backend to run; an optional one (written <c>gpu?</c>) becomes "n/a" rows when its device is absent instead of failing the run.</summary>
public sealed record BackendRequest(string Name, bool Optional)
{
    public override string ToString() => Optional ? Name + "?" : Name;
}

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/>, 1-based as written (<c>"2/4"</c>).</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public override string ToString() => $"{Index}/{Count}";
}
