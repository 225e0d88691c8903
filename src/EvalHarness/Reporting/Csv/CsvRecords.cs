using CsvHelper;

namespace EvalHarness.Reporting.Csv;

// The on-disk schema of the CSV exports. Column names are permanent ids (compare reads old runs
// with them): add columns, never rename. CsvHelper's source generator writes the mapping code.
// Every record starts with `detector` (optional on read: folders written before it lack it), so
// files of several detectors concatenate without losing which row is whose.

/// <summary>One row of summary.csv: one variant on one backend.</summary>
[CsvRecord]
internal sealed partial class SummaryRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("suite")] public string Suite { get; set; } = "";
    [CsvColumn("dataset", Optional = true)] public string Dataset { get; set; } = "";
    [CsvColumn("subset", Optional = true)] public bool Subset { get; set; }
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("variant_spec", Optional = true)] public string VariantSpec { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("device", Optional = true)] public string Device { get; set; } = "";
    [CsvColumn("status")] public string Status { get; set; } = "";
    [CsvColumn("reason", Optional = true)] public string Reason { get; set; } = "";
    [CsvColumn("ap_easy")] public double? ApEasy { get; set; }
    [CsvColumn("ap_medium")] public double? ApMedium { get; set; }
    [CsvColumn("ap_hard")] public double? ApHard { get; set; }
    [CsvColumn("faces_easy", Optional = true)] public int? FacesEasy { get; set; }
    [CsvColumn("faces_medium", Optional = true)] public int? FacesMedium { get; set; }
    [CsvColumn("faces_hard", Optional = true)] public int? FacesHard { get; set; }
    [CsvColumn("dap_easy", Optional = true)] public double? DeltaEasy { get; set; }
    [CsvColumn("dap_easy_lo", Optional = true)] public double? DeltaEasyLower { get; set; }
    [CsvColumn("dap_easy_hi", Optional = true)] public double? DeltaEasyUpper { get; set; }
    [CsvColumn("dap_medium", Optional = true)] public double? DeltaMedium { get; set; }
    [CsvColumn("dap_medium_lo", Optional = true)] public double? DeltaMediumLower { get; set; }
    [CsvColumn("dap_medium_hi", Optional = true)] public double? DeltaMediumUpper { get; set; }
    [CsvColumn("dap_hard", Optional = true)] public double? DeltaHard { get; set; }
    [CsvColumn("dap_hard_lo", Optional = true)] public double? DeltaHardLower { get; set; }
    [CsvColumn("dap_hard_hi", Optional = true)] public double? DeltaHardUpper { get; set; }
    [CsvColumn("latency_n", Optional = true)] public int? LatencyCount { get; set; }
    [CsvColumn("median_ms")] public double? MedianMs { get; set; }
    [CsvColumn("p90_ms", Optional = true)] public double? P90Ms { get; set; }
    [CsvColumn("p99_ms", Optional = true)] public double? P99Ms { get; set; }
    [CsvColumn("mean_ms", Optional = true)] public double? MeanMs { get; set; }
    [CsvColumn("std_ms", Optional = true)] public double? StdMs { get; set; }
    [CsvColumn("min_ms", Optional = true)] public double? MinMs { get; set; }
    [CsvColumn("max_ms", Optional = true)] public double? MaxMs { get; set; }
    [CsvColumn("throughput_ips", Optional = true)] public double? ThroughputPerSecond { get; set; }
    [CsvColumn("speed_ratio", Optional = true)] public double? SpeedRatio { get; set; }
    [CsvColumn("speed_ratio_lo", Optional = true)] public double? SpeedRatioLower { get; set; }
    [CsvColumn("speed_ratio_hi", Optional = true)] public double? SpeedRatioUpper { get; set; }
    [CsvColumn("decode_ms", Optional = true)] public double? DecodeMs { get; set; }
    [CsvColumn("inference_ms", Optional = true)] public double? InferenceMs { get; set; }
    [CsvColumn("dense_decode_ms", Optional = true)] public double? DenseDecodeMs { get; set; }
    [CsvColumn("postprocess_ms", Optional = true)] public double? PostProcessMs { get; set; }
    [CsvColumn("gpu_transfer_ms", Optional = true)] public double? GpuTransferMs { get; set; }
    [CsvColumn("gpu_kernel_ms", Optional = true)] public double? GpuKernelMs { get; set; }
    [CsvColumn("detections", Optional = true)] public long? Detections { get; set; }
    [CsvColumn("detections_sha256", Optional = true)] public string DetectionsSha256 { get; set; } = "";

    /// <summary>Columns without which a summary cannot be compared (the reader checks them first, for a clear message).</summary>
    public static readonly string[] RequiredColumns = ["suite", "variant", "backend", "status", "ap_easy", "ap_medium", "ap_hard", "median_ms"];
}

/// <summary>
/// One row of ap.csv, written by <c>run</c> (one method per variant × backend, <c>variant/backend</c>)
/// and by <c>evaluate</c> (one method per prediction folder; variant and backend empty) alike.
/// </summary>
[CsvRecord]
internal sealed partial class ApRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("method", Optional = true)] public string Method { get; set; } = "";
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("setting")] public string Setting { get; set; } = "";
    [CsvColumn("ap")] public double? Ap { get; set; }
    [CsvColumn("ap_lo", Optional = true)] public double? ApLower { get; set; }
    [CsvColumn("ap_hi", Optional = true)] public double? ApUpper { get; set; }
    [CsvColumn("faces", Optional = true)] public int? Faces { get; set; }
    [CsvColumn("delta_ap", Optional = true)] public double? DeltaAp { get; set; }
    [CsvColumn("delta_lo", Optional = true)] public double? DeltaLower { get; set; }
    [CsvColumn("delta_hi", Optional = true)] public double? DeltaUpper { get; set; }
}

/// <summary>One point of pr_curves.csv (<c>run</c> and <c>evaluate</c> alike; see <see cref="ApRecord"/> for <c>method</c>).</summary>
[CsvRecord]
internal sealed partial class PrPointRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("method", Optional = true)] public string Method { get; set; } = "";
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("setting")] public string Setting { get; set; } = "";
    [CsvColumn("threshold")] public double Threshold { get; set; }
    [CsvColumn("recall")] public double Recall { get; set; }
    [CsvColumn("precision")] public double Precision { get; set; }
}

/// <summary>One row of breakdown.csv: AP of one method on one subset of the faces (ap empty when the bucket has no face).</summary>
[CsvRecord]
internal sealed partial class BreakdownRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("method")] public string Method { get; set; } = "";
    [CsvColumn("kind")] public string Kind { get; set; } = "";
    [CsvColumn("bucket")] public string Bucket { get; set; } = "";
    [CsvColumn("faces")] public int Faces { get; set; }
    [CsvColumn("ap")] public double? Ap { get; set; }
}

/// <summary>One sample of latency_samples.csv.</summary>
[CsvRecord]
internal sealed partial class LatencySampleRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("image")] public string Image { get; set; } = "";
    [CsvColumn("ms")] public double Milliseconds { get; set; }
}

/// <summary>One row of verdicts.csv.</summary>
[CsvRecord]
internal sealed partial class VerdictRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("claim")] public string Claim { get; set; } = "";
    [CsvColumn("scope")] public string Scope { get; set; } = "";
    [CsvColumn("verdict")] public string Verdict { get; set; } = "";
    [CsvColumn("evidence")] public string Evidence { get; set; } = "";
}

/// <summary>One row of scaling.csv.</summary>
[CsvRecord]
internal sealed partial class ScalingRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("candidates")] public int Candidates { get; set; }
    [CsvColumn("median_ms")] public double MedianMs { get; set; }
}
