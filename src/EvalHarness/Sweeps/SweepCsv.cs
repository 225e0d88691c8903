using CsvHelper;
using EvalHarness.IO;
using EvalHarness.Reporting;
using EvalHarness.Reporting.Csv;

namespace EvalHarness.Sweeps;

// Column names are permanent ids, like the run's CSVs: add columns, never rename.

/// <summary>One row of sweep.csv: one configuration on one backend, with its family and one column per parameter.</summary>
[CsvRecord]
internal sealed partial class SweepRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("configuration")] public string Configuration { get; set; } = "";
    [CsvColumn("family")] public string Family { get; set; } = "";
    [CsvColumn("score")] public string Score { get; set; } = "";
    [CsvColumn("iou")] public string Iou { get; set; } = "";
    [CsvColumn("sigma")] public string Sigma { get; set; } = "";
    [CsvColumn("r")] public string R { get; set; } = "";
    [CsvColumn("k")] public string K { get; set; } = "";
    [CsvColumn("mag")] public string Mag { get; set; } = "";
    [CsvColumn("pretopk")] public string PreTopK { get; set; } = "";
    [CsvColumn("keep")] public string Keep { get; set; } = "";
    [CsvColumn("emit")] public string Emit { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("status")] public string Status { get; set; } = "";
    [CsvColumn("reason", Optional = true)] public string Reason { get; set; } = "";
    [CsvColumn("ap_easy")] public double? ApEasy { get; set; }
    [CsvColumn("ap_medium")] public double? ApMedium { get; set; }
    [CsvColumn("ap_hard")] public double? ApHard { get; set; }
    [CsvColumn("median_ms")] public double? MedianMs { get; set; }
    [CsvColumn("p90_ms")] public double? P90Ms { get; set; }
    [CsvColumn("on_frontier")] public bool OnFrontier { get; set; }
    [CsvColumn("detections", Optional = true)] public long? Detections { get; set; }
    [CsvColumn("detections_sha256", Optional = true)] public string DetectionsSha256 { get; set; } = "";
}

/// <summary>One row of tuning.csv: a family's pick for one held-out fold.</summary>
[CsvRecord]
internal sealed partial class TuningRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("family")] public string Family { get; set; } = "";
    [CsvColumn("fold")] public int Fold { get; set; }
    [CsvColumn("heldout_images")] public int HeldOutImages { get; set; }
    [CsvColumn("pick")] public string Pick { get; set; } = "";
    [CsvColumn("objective")] public string Objective { get; set; } = "";
    [CsvColumn("tune_objective")] public double? TuneObjective { get; set; }
    [CsvColumn("tune_median_ms")] public double? TuneMedianMs { get; set; }
    [CsvColumn("tune_ap_easy")] public double? TuneApEasy { get; set; }
    [CsvColumn("tune_ap_medium")] public double? TuneApMedium { get; set; }
    [CsvColumn("tune_ap_hard")] public double? TuneApHard { get; set; }
    [CsvColumn("heldout_ap_easy")] public double? HeldOutApEasy { get; set; }
    [CsvColumn("heldout_ap_medium")] public double? HeldOutApMedium { get; set; }
    [CsvColumn("heldout_ap_hard")] public double? HeldOutApHard { get; set; }
}

/// <summary>One row of pareto.csv: a frontier point of one backend, fastest first.</summary>
[CsvRecord]
internal sealed partial class ParetoRecord
{
    [CsvColumn("detector", Optional = true)] public string Detector { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("order")] public int Order { get; set; }
    [CsvColumn("configuration")] public string Configuration { get; set; } = "";
    [CsvColumn("family")] public string Family { get; set; } = "";
    [CsvColumn("median_ms")] public double MedianMs { get; set; }
    [CsvColumn("ap_easy")] public double ApEasy { get; set; }
    [CsvColumn("ap_medium")] public double ApMedium { get; set; }
    [CsvColumn("ap_hard")] public double ApHard { get; set; }
}

/// <summary>The file names a sweep adds to a results folder.</summary>
internal static class SweepFiles
{
    public const string Sweep = "sweep.csv";
    public const string Tuning = "tuning.csv";
    public const string Pareto = "pareto.csv";
}

/// <summary>Writes a sweep's folder: the run's tables that compare reads, the sweep's own CSVs, charts, report.md.</summary>
internal static class SweepExporters
{
    public static void WriteAll(SweepResults sweep, string folder)
    {
        Directory.CreateDirectory(folder);
        // The plain run's exporters that make sense for 60 configurations (no per-variant PR or box charts).
        IRunExporter[] runExporters = [new SummaryCsvExporter(), new ApCsvExporter(), new LatencySamplesCsvExporter(), new VerdictsCsvExporter(), new EnvironmentJsonExporter(), new SuiteJsonExporter()];
        foreach (var exporter in runExporters) exporter.Export(sweep.Run, folder);

        var detector = sweep.Run.Detector;
        CsvFiles.Write(Path.Combine(folder, SweepFiles.Sweep), sweep.Rows.Select(r => ToRecord(r, detector)));
        CsvFiles.Write(Path.Combine(folder, SweepFiles.Tuning), sweep.Tuning.Select(t => new TuningRecord
        {
            Detector = detector,
            Family = t.Family,
            Fold = t.Fold,
            HeldOutImages = t.HeldOutImages,
            Pick = t.Pick ?? "",
            Objective = t.Family == SweepResults.MatchedFamily ? "fastest with hard AP >= tuned nms - 0.005" : sweep.Objective.ToString(),
            TuneObjective = Finite(t.TuneObjective),
            TuneMedianMs = Finite(t.TuneMedianMs),
            TuneApEasy = t.TuneAp?.Easy,
            TuneApMedium = t.TuneAp?.Medium,
            TuneApHard = t.TuneAp?.Hard,
            HeldOutApEasy = t.HeldOutAp?.Easy,
            HeldOutApMedium = t.HeldOutAp?.Medium,
            HeldOutApHard = t.HeldOutAp?.Hard,
        }));
        CsvFiles.Write(Path.Combine(folder, SweepFiles.Pareto), sweep.Pareto.Select(p => new ParetoRecord
        {
            Detector = detector,
            Backend = p.Backend,
            Order = p.Order,
            Configuration = p.Configuration,
            Family = p.Family,
            MedianMs = p.MedianMs,
            ApEasy = p.Ap.Easy,
            ApMedium = p.Ap.Medium,
            ApHard = p.Ap.Hard,
        }));
        SweepCharts.Export(sweep, folder);
        AtomicFile.WriteAllText(Path.Combine(folder, ResultFiles.Report), SweepReport.Render(sweep));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static SweepRecord ToRecord(SweepRow row, string detector)
    {
        string P(string key) => row.Parameters.TryGetValue(key, out var v) ? v : "";
        return new SweepRecord
        {
            Detector = detector,
            Configuration = row.Configuration,
            Family = row.Family,
            Score = P("score"),
            Iou = P("iou"),
            Sigma = P("sigma"),
            R = P("r"),
            K = P("k"),
            Mag = P("mag"),
            PreTopK = P("pretopk"),
            Keep = P("keep"),
            Emit = P("emit"),
            Backend = row.Backend,
            Status = row.Status.Id(),
            Reason = row.Reason ?? "",
            ApEasy = row.Ap?.Easy,
            ApMedium = row.Ap?.Medium,
            ApHard = row.Ap?.Hard,
            MedianMs = row.Latency?.Median,
            P90Ms = row.Latency?.P90,
            OnFrontier = row.OnFrontier,
            Detections = row.IsOk ? row.Detections : null,
            DetectionsSha256 = row.DetectionsSha256,
        };
    }
}
