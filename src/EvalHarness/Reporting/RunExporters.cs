using EvalHarness.IO;
using EvalHarness.Reporting.Charts;
using EvalHarness.Reporting.Csv;

namespace EvalHarness.Reporting;

/// <summary>Writes one artefact of a run into its results folder (atomically).</summary>
internal interface IRunExporter
{
    /// <summary>The file (or, for charts, the first file) it writes, relative to the results folder.</summary>
    string FileName { get; }

    void Export(RunResults run, string folder);
}

/// <summary>The file names of a results folder: permanent ids that compare and baseline rely on.</summary>
public static class ResultFiles
{
    public const string Summary = "summary.csv";
    public const string Ap = "ap.csv";
    public const string PrCurves = "pr_curves.csv";
    public const string LatencySamples = "latency_samples.csv";
    public const string Verdicts = "verdicts.csv";
    public const string Scaling = "scaling.csv";
    public const string Breakdown = "breakdown.csv";
    public const string Environment = "env.json";
    public const string Suite = "suite.json";
    public const string Report = "report.md";
    public const string ChartsFolder = "charts";
}

internal sealed class SummaryCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.Summary;

    public void Export(RunResults run, string folder) =>
        CsvFiles.Write(Path.Combine(folder, FileName), run.Rows.Select(r => CsvMapping.ToSummary(run, r)));
}

internal sealed class ApCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.Ap;

    public void Export(RunResults run, string folder) =>
        CsvFiles.Write(Path.Combine(folder, FileName), run.Rows.SelectMany(r => CsvMapping.ToAp(r, run.Detector)));
}

internal sealed class PrCurvesCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.PrCurves;

    public void Export(RunResults run, string folder) =>
        CsvFiles.Write(Path.Combine(folder, FileName), run.PrCurves.SelectMany(c => CsvMapping.ToPr(c, run.Detector)));
}

/// <summary>breakdown.csv: per variant (its reference backend's row), AP by face height and attribute, in <c>evaluate --breakdown</c>'s schema.</summary>
internal sealed class BreakdownCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.Breakdown;

    public void Export(RunResults run, string folder)
    {
        var rows = ChartExporter.BreakdownRows(run);
        if (rows.Count == 0) return;
        CsvFiles.Write(Path.Combine(folder, FileName), rows.SelectMany(r => CsvMapping.ToBreakdown(CsvMapping.MethodName(r.Variant, r.Backend), r.Breakdown!, run.Detector)));
    }
}

internal sealed class LatencySamplesCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.LatencySamples;

    public void Export(RunResults run, string folder) =>
        CsvFiles.Write(Path.Combine(folder, FileName), run.LatencySamples.SelectMany(s => CsvMapping.ToSamples(s, run.Detector)));
}

internal sealed class VerdictsCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.Verdicts;

    public void Export(RunResults run, string folder) =>
        CsvFiles.Write(Path.Combine(folder, FileName), run.Verdicts.Select(v => ToRecord(run.Detector, v)));

    /// <summary>The CSV row of one verdict (also the top-level verdicts.csv of a several-detector run).</summary>
    public static VerdictRecord ToRecord(string detector, Metrics.Statistics.ClaimVerdict v) => new()
    {
        Detector = detector,
        Variant = v.Variant,
        Claim = Metrics.Statistics.Verdicts.Id(v.Claim),
        Scope = v.Scope,
        Verdict = Metrics.Statistics.Verdicts.Id(v.Outcome),
        Evidence = v.Evidence,
    };
}

internal sealed class ScalingCsvExporter : IRunExporter
{
    public string FileName => ResultFiles.Scaling;

    public void Export(RunResults run, string folder) =>
        CsvFiles.Write(Path.Combine(folder, FileName), run.Scaling.Select(p => new ScalingRecord
        {
            Detector = run.Detector,
            Variant = p.Variant,
            Backend = p.Backend,
            Candidates = p.Candidates,
            MedianMs = p.MedianMilliseconds,
        }));
}

internal sealed class EnvironmentJsonExporter : IRunExporter
{
    public string FileName => ResultFiles.Environment;

    public void Export(RunResults run, string folder)
    {
        if (run.Environment is { } env) AtomicFile.WriteAllText(Path.Combine(folder, FileName), EnvironmentJson.Serialize(env) + "\n");
    }
}

internal sealed class SuiteJsonExporter : IRunExporter
{
    public string FileName => ResultFiles.Suite;

    public void Export(RunResults run, string folder)
    {
        if (run.SuiteJson is { } json) AtomicFile.WriteAllText(Path.Combine(folder, FileName), json.EndsWith('\n') ? json : json + "\n");
    }
}

/// <summary>The standard set, in the order they run (charts before report.md, which links them).</summary>
internal static class RunExporters
{
    public static IReadOnlyList<IRunExporter> Default { get; } =
    [
        new SummaryCsvExporter(),
        new ApCsvExporter(),
        new PrCurvesCsvExporter(),
        new LatencySamplesCsvExporter(),
        new BreakdownCsvExporter(),
        new VerdictsCsvExporter(),
        new ScalingCsvExporter(),
        new EnvironmentJsonExporter(),
        new SuiteJsonExporter(),
        new ChartExporter(),
        new MarkdownReportExporter(),
    ];

    /// <summary>Writes every standard artefact of <paramref name="run"/> into <paramref name="folder"/>.</summary>
    public static void WriteAll(RunResults run, string folder, IReadOnlyList<IRunExporter>? exporters = null)
    {
        Directory.CreateDirectory(folder);
        foreach (var exporter in exporters ?? Default) exporter.Export(run, folder);
    }
}
