using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;

namespace EvalHarness.Reporting.Csv;

/// <summary>Converts between the run model and the CSV records, both ways.</summary>
internal static class CsvMapping
{
    public static SummaryRecord ToSummary(RunResults run, ResultRow row) => new()
    {
        Detector = run.Detector,
        Suite = run.Suite,
        Dataset = run.Dataset,
        Subset = run.IsSubset,
        Variant = row.Variant,
        VariantSpec = row.VariantSpec,
        Backend = row.Backend,
        Device = row.Device,
        Status = row.Status.Id(),
        Reason = row.Reason ?? "",
        ApEasy = row.Ap?.Easy,
        ApMedium = row.Ap?.Medium,
        ApHard = row.Ap?.Hard,
        FacesEasy = row.Faces?.Easy,
        FacesMedium = row.Faces?.Medium,
        FacesHard = row.Faces?.Hard,
        DeltaEasy = row.DeltaAp?.Easy.Estimate,
        DeltaEasyLower = row.DeltaAp?.Easy.Lower,
        DeltaEasyUpper = row.DeltaAp?.Easy.Upper,
        DeltaMedium = row.DeltaAp?.Medium.Estimate,
        DeltaMediumLower = row.DeltaAp?.Medium.Lower,
        DeltaMediumUpper = row.DeltaAp?.Medium.Upper,
        DeltaHard = row.DeltaAp?.Hard.Estimate,
        DeltaHardLower = row.DeltaAp?.Hard.Lower,
        DeltaHardUpper = row.DeltaAp?.Hard.Upper,
        LatencyCount = row.Latency?.Count,
        MedianMs = row.Latency?.Median,
        P90Ms = row.Latency?.P90,
        P99Ms = row.Latency?.P99,
        MeanMs = row.Latency?.Mean,
        StdMs = row.Latency?.Std,
        MinMs = row.Latency?.Min,
        MaxMs = row.Latency?.Max,
        ThroughputPerSecond = row.Latency?.ThroughputPerSecond,
        SpeedRatio = row.SpeedRatio?.Estimate,
        SpeedRatioLower = row.SpeedRatio?.Lower,
        SpeedRatioUpper = row.SpeedRatio?.Upper,
        DecodeMs = row.Stages.Decode,
        InferenceMs = row.Stages.Inference,
        DenseDecodeMs = row.Stages.DenseDecode,
        PostProcessMs = row.Stages.PostProcess,
        GpuTransferMs = row.Stages.GpuTransfer,
        GpuKernelMs = row.Stages.GpuKernel,
        Detections = row.Detections,
        DetectionsSha256 = row.DetectionsSha256 ?? "",
    };

    public static ResultRow FromSummary(SummaryRecord r, string path, int line)
    {
        if (!RowStatusExtensions.TryParse(r.Status, out var status))
        {
            throw new DataFormatException(path, line, $"status '{r.Status}' is not ok, n/a or failed");
        }
        return new ResultRow
        {
            Variant = r.Variant,
            VariantSpec = r.VariantSpec,
            Backend = r.Backend,
            Device = r.Device,
            Status = status,
            Reason = string.IsNullOrEmpty(r.Reason) ? null : r.Reason,
            Ap = r.ApEasy is { } e && r.ApMedium is { } m && r.ApHard is { } h ? new PerSetting<double>(e, m, h) : null,
            Faces = r.FacesEasy is { } fe && r.FacesMedium is { } fm && r.FacesHard is { } fh ? new PerSetting<int>(fe, fm, fh) : null,
            DeltaAp = Triple(r.DeltaEasy, r.DeltaEasyLower, r.DeltaEasyUpper) is { } de
                && Triple(r.DeltaMedium, r.DeltaMediumLower, r.DeltaMediumUpper) is { } dm
                && Triple(r.DeltaHard, r.DeltaHardLower, r.DeltaHardUpper) is { } dh
                ? new PerSetting<Interval>(de, dm, dh) : null,
            Latency = r.MedianMs is { } median
                ? new LatencyStats(r.LatencyCount ?? 0, median, r.P90Ms ?? double.NaN, r.P99Ms ?? double.NaN, r.MeanMs ?? double.NaN,
                    r.StdMs ?? double.NaN, r.MinMs ?? double.NaN, r.MaxMs ?? double.NaN)
                : null,
            SpeedRatio = Triple(r.SpeedRatio, r.SpeedRatioLower, r.SpeedRatioUpper),
            Stages = new StageLatencies
            {
                Decode = r.DecodeMs,
                Inference = r.InferenceMs,
                DenseDecode = r.DenseDecodeMs,
                PostProcess = r.PostProcessMs,
                GpuTransfer = r.GpuTransferMs,
                GpuKernel = r.GpuKernelMs,
            },
            Detections = r.Detections,
            DetectionsSha256 = string.IsNullOrEmpty(r.DetectionsSha256) ? null : r.DetectionsSha256,
        };
    }

    /// <summary>The method name a run gives one variant on one backend in ap.csv, pr_curves.csv and breakdown.csv.</summary>
    public static string MethodName(string variant, string backend) => $"{variant}/{backend}";

    public static IEnumerable<ApRecord> ToAp(ResultRow row, string detector)
    {
        if (row.Ap is not { } ap) yield break;
        foreach (var s in SettingExtensions.All)
        {
            yield return new ApRecord
            {
                Detector = detector,
                Method = MethodName(row.Variant, row.Backend),
                Variant = row.Variant,
                Backend = row.Backend,
                Setting = s.Id(),
                Ap = ap[s],
                ApLower = row.ApInterval?[s].Lower,
                ApUpper = row.ApInterval?[s].Upper,
                Faces = row.Faces?[s],
                DeltaAp = row.DeltaAp?[s].Estimate,
                DeltaLower = row.DeltaAp?[s].Lower,
                DeltaUpper = row.DeltaAp?[s].Upper,
            };
        }
    }

    public static IEnumerable<PrPointRecord> ToPr(PrCurve curve, string detector)
    {
        for (var i = 0; i < curve.Recall.Length; i++)
        {
            yield return new PrPointRecord
            {
                Detector = detector,
                Method = MethodName(curve.Variant, curve.Backend),
                Variant = curve.Variant,
                Backend = curve.Backend,
                Setting = curve.Setting.Id(),
                Threshold = i < curve.Thresholds.Length ? curve.Thresholds[i] : double.NaN,
                Recall = curve.Recall[i],
                Precision = curve.Precision[i],
            };
        }
    }

    /// <summary>ap.csv rows of one evaluated method (<c>evaluate</c>: no variant, backend or intervals).</summary>
    public static IEnumerable<ApRecord> ToAp(string method, EvaluationResult result)
    {
        foreach (var setting in result.Settings)
        {
            yield return new ApRecord { Method = method, Setting = setting.Setting.Id(), Ap = setting.Ap, Faces = setting.Faces };
        }
    }

    /// <summary>pr_curves.csv rows of one evaluated method: every threshold of every setting.</summary>
    public static IEnumerable<PrPointRecord> ToPr(string method, EvaluationResult result)
    {
        foreach (var setting in result.Settings)
        {
            for (var t = 0; t < setting.Thresholds.Length; t++)
            {
                yield return new PrPointRecord
                {
                    Method = method,
                    Setting = setting.Setting.Id(),
                    Threshold = setting.Thresholds[t],
                    Recall = setting.Recall[t],
                    Precision = setting.Precision[t],
                };
            }
        }
    }

    public static IEnumerable<BreakdownRecord> ToBreakdown(string method, IEnumerable<BreakdownBucket> buckets, string detector = "") =>
        buckets.Select(b => new BreakdownRecord { Detector = detector, Method = method, Kind = b.Kind, Bucket = b.Bucket, Faces = b.Faces, Ap = b.Ap });

    public static IEnumerable<LatencySampleRecord> ToSamples(LatencySeries series, string detector)
    {
        for (var i = 0; i < series.Milliseconds.Length; i++)
        {
            yield return new LatencySampleRecord { Detector = detector, Variant = series.Variant, Backend = series.Backend, Image = series.Images[i], Milliseconds = series.Milliseconds[i] };
        }
    }

    /// <summary>Groups samples back into series, in first-seen (variant, backend) order.</summary>
    public static List<LatencySeries> FromSamples(IEnumerable<LatencySampleRecord> records)
    {
        var order = new List<(string Variant, string Backend)>();
        var images = new Dictionary<(string, string), List<string>>();
        var ms = new Dictionary<(string, string), List<double>>();
        foreach (var r in records)
        {
            var key = (r.Variant, r.Backend);
            if (!images.TryGetValue(key, out var imageList))
            {
                images[key] = imageList = [];
                ms[key] = [];
                order.Add(key);
            }
            imageList.Add(r.Image);
            ms[key].Add(r.Milliseconds);
        }
        var result = new List<LatencySeries>(order.Count);
        foreach (var key in order) result.Add(new LatencySeries(key.Variant, key.Backend, images[key].ToArray(), ms[key].ToArray()));
        return result;
    }

    private static Interval? Triple(double? estimate, double? lower, double? upper) =>
        estimate is { } e && lower is { } l && upper is { } u ? new Interval(e, l, u) : null;
}
