using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Reporting;

/// <summary>
/// Everything one run produced, immutable once built: every exporter (CSV, JSON, charts,
/// Markdown) reads this one model, and <see cref="RunResultsReader"/> rebuilds the comparable part
/// of it from the CSVs for <c>compare</c>. Latencies are milliseconds per image.
/// </summary>
public sealed record RunResults
{
    /// <summary>The variant every ΔAP and speed ratio is measured against.</summary>
    public const string DefaultBaselineVariant = "nms";

    /// <summary>The backend latency is normalised by in <c>compare</c> (with the baseline variant).</summary>
    public const string DefaultReferenceBackend = "scalar";

    public required string Suite { get; init; }

    /// <summary>
    /// Which detector made the candidate maps: its label (<c>blazeface-back-tiles</c>,
    /// <c>faceapi-ssd-letterbox</c>), <see cref="SyntheticDetector"/> for seeded synthetic maps, empty
    /// when not known (a folder written before the column existed). Every CSV row carries it.
    /// </summary>
    public string Detector { get; init; } = "";

    /// <summary>The detector label of a run on synthetic candidate maps (no network involved).</summary>
    public const string SyntheticDetector = "synthetic";

    /// <summary>What was evaluated, e.g. "synthetic (seed 1, 32 images)" or "WIDER FACE val subset (394 images, 5 events)".</summary>
    public string Dataset { get; init; } = "";

    /// <summary>True when only part of a set was evaluated: its AP is never compared with full-set numbers.</summary>
    public bool IsSubset { get; init; }

    public EnvironmentInfo? Environment { get; init; }

    /// <summary>The resolved suite as JSON (written verbatim to suite.json); null when not known.</summary>
    public string? SuiteJson { get; init; }

    public string BaselineVariant { get; init; } = DefaultBaselineVariant;
    public string ReferenceBackend { get; init; } = DefaultReferenceBackend;

    public IReadOnlyList<ResultRow> Rows { get; init; } = [];
    public IReadOnlyList<PrCurve> PrCurves { get; init; } = [];
    public IReadOnlyList<LatencySeries> LatencySamples { get; init; } = [];
    public IReadOnlyList<ScalingPoint> Scaling { get; init; } = [];
    public IReadOnlyList<ClaimVerdict> Verdicts { get; init; } = [];

    /// <summary>
    /// How a backend's latency differs from one call per image, e.g. "gpu latency: batch time /
    /// images, batches of up to 16 images"; shown under the report's and the console's tables.
    /// </summary>
    public IReadOnlyList<string> LatencyNotes { get; init; } = [];

    public ResultRow? Find(string variant, string backend)
    {
        foreach (var row in Rows)
        {
            if (row.Variant == variant && row.Backend == backend) return row;
        }
        return null;
    }

    public LatencySeries? FindSamples(string variant, string backend)
    {
        foreach (var s in LatencySamples)
        {
            if (s.Variant == variant && s.Backend == backend) return s;
        }
        return null;
    }
}

public enum RowStatus
{
    Ok,
    /// <summary>The backend cannot run the variant; <see cref="ResultRow.Reason"/> says why.</summary>
    NotApplicable,
    /// <summary>It was attempted and failed; <see cref="ResultRow.Reason"/> has the error.</summary>
    Failed,
}

public static class RowStatusExtensions
{
    public static string Id(this RowStatus status) => status switch
    {
        RowStatus.Ok => "ok",
        RowStatus.NotApplicable => "n/a",
        RowStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string text, out RowStatus status)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "ok": status = RowStatus.Ok; return true;
            case "n/a" or "na": status = RowStatus.NotApplicable; return true;
            case "failed": status = RowStatus.Failed; return true;
            default: status = default; return false;
        }
    }
}

/// <summary>A value per WIDER FACE setting.</summary>
public readonly record struct PerSetting<T>(T Easy, T Medium, T Hard)
{
    public T this[Setting setting] => setting switch
    {
        Setting.Easy => Easy,
        Setting.Medium => Medium,
        Setting.Hard => Hard,
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };
}

/// <summary>
/// Medians (ms per image) of the pipeline's stages. <see cref="PostProcess"/> is the measured
/// variant; on the GPU it splits into <see cref="GpuTransfer"/> (host↔device copies) and
/// <see cref="GpuKernel"/> (kernels). Null where the stage did not run or was not timed.
/// </summary>
public sealed record StageLatencies
{
    public double? Decode { get; init; }
    public double? Inference { get; init; }
    public double? DenseDecode { get; init; }
    public double? PostProcess { get; init; }
    public double? GpuTransfer { get; init; }
    public double? GpuKernel { get; init; }

    public static StageLatencies None { get; } = new();
}

/// <summary>One variant on one backend.</summary>
public sealed record ResultRow
{
    /// <summary>The variant's label, unique within the run (its name, or its canonical spec when a name repeats).</summary>
    public required string Variant { get; init; }

    /// <summary>Canonical <c>VariantSpec.ToString()</c>, so a row names exactly what ran.</summary>
    public string VariantSpec { get; init; } = "";

    public required string Backend { get; init; }

    /// <summary>What executed, e.g. "AVX2 (Vector256)" or "CUDA: NVIDIA H200".</summary>
    public string Device { get; init; } = "";

    public RowStatus Status { get; init; } = RowStatus.Ok;
    public string? Reason { get; init; }

    public PerSetting<double>? Ap { get; init; }

    /// <summary>Bootstrap interval of the AP itself (optional; drawn as error bars).</summary>
    public PerSetting<Interval>? ApInterval { get; init; }

    public PerSetting<int>? Faces { get; init; }

    /// <summary>AP − AP of the baseline variant, with its paired-bootstrap interval; null for the baseline itself.</summary>
    public PerSetting<Interval>? DeltaAp { get; init; }

    public LatencyStats? Latency { get; init; }

    /// <summary>Median latency / baseline variant's median on the same backend, with its paired-bootstrap interval.</summary>
    public Interval? SpeedRatio { get; init; }

    public StageLatencies Stages { get; init; } = StageLatencies.None;

    /// <summary>Total detections emitted over all images.</summary>
    public long? Detections { get; init; }

    /// <summary>SHA-256 (hex) of the detections and the flat indices of the candidates they came from, for exact reproduction and equivalence checks.</summary>
    public string? DetectionsSha256 { get; init; }

    /// <summary>AP by face height and attribute (<see cref="SubsetBreakdown"/>); null when not computed.</summary>
    public IReadOnlyList<BreakdownBucket>? Breakdown { get; init; }

    public bool IsOk => Status == RowStatus.Ok;
}

/// <summary>A precision-recall curve of one variant in one setting (the evaluator's thresholds).</summary>
public sealed record PrCurve(string Variant, string Backend, Setting Setting, double[] Thresholds, double[] Precision, double[] Recall);

/// <summary>
/// Per-image post-processing latencies of one variant × backend: <c>Images[i]</c> took
/// <c>Milliseconds[i]</c>; an image appears once per repeat.
/// </summary>
public sealed record LatencySeries(string Variant, string Backend, string[] Images, double[] Milliseconds)
{
    /// <summary>One value per image (the median of its repeats), in first-seen image order.</summary>
    public (string[] Images, double[] Milliseconds) PerImageMedians()
    {
        var order = new List<string>();
        var byImage = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var i = 0; i < Images.Length; i++)
        {
            if (!byImage.TryGetValue(Images[i], out var list))
            {
                byImage[Images[i]] = list = [];
                order.Add(Images[i]);
            }
            list.Add(Milliseconds[i]);
        }
        var medians = new double[order.Count];
        for (var i = 0; i < order.Count; i++) medians[i] = Percentiles.Median(byImage[order[i]].ToArray());
        return (order.ToArray(), medians);
    }
}

/// <summary>Post-processing time of a variant on a backend for maps with a given number of candidates.</summary>
public sealed record ScalingPoint(string Variant, string Backend, int Candidates, double MedianMilliseconds);
