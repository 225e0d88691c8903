using EvalHarness.IO;
using EvalHarness.Reporting.Csv;

namespace EvalHarness.Reporting;

/// <summary>
/// Rebuilds the comparable part of a run (rows, latency samples, environment) from a results
/// folder, or from a summary.csv path with its siblings. Used by <c>compare</c>.
/// </summary>
internal static class RunResultsReader
{
    public static RunResults Read(string folderOrSummary)
    {
        string folder, summaryPath;
        if (Directory.Exists(folderOrSummary))
        {
            folder = folderOrSummary;
            summaryPath = Path.Combine(folder, ResultFiles.Summary);
        }
        else if (File.Exists(folderOrSummary))
        {
            summaryPath = folderOrSummary;
            folder = Path.GetDirectoryName(Path.GetFullPath(folderOrSummary))!;
        }
        else
        {
            throw new UsageException($"results not found: '{folderOrSummary}' is neither a results folder nor a summary.csv");
        }
        if (!File.Exists(summaryPath)) throw new DataFormatException(summaryPath, 0, "no summary.csv in this results folder");

        var records = CsvFiles.Read<SummaryRecord>(summaryPath, SummaryRecord.RequiredColumns);
        if (records.Count == 0) throw new DataFormatException(summaryPath, 0, "summary has no rows");
        var suite = records[0].Suite;
        var detector = records[0].Detector;
        var rows = new List<ResultRow>(records.Count);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < records.Count; i++)
        {
            var line = i + 2; // header is line 1 (no multi-line fields are written)
            var r = records[i];
            if (r.Detector != detector)
            {
                // the top-level summary of a several-detector run: one detector's folder is what compares
                throw new UsageException($"{summaryPath} holds the rows of several detectors ({detector}, {r.Detector}, ...): compare one detector's folder, e.g. {Path.Combine(folder, detector)}");
            }
            if (r.Suite != suite) throw new DataFormatException(summaryPath, line, $"suite '{r.Suite}' differs from '{suite}' of the first row");
            if (string.IsNullOrWhiteSpace(r.Variant) || string.IsNullOrWhiteSpace(r.Backend)) throw new DataFormatException(summaryPath, line, "empty variant or backend");
            if (!seen.Add((r.Variant, r.Backend))) throw new DataFormatException(summaryPath, line, $"duplicate row {r.Variant} on {r.Backend}");
            rows.Add(CsvMapping.FromSummary(r, summaryPath, line));
        }

        var samplesPath = Path.Combine(folder, ResultFiles.LatencySamples);
        var samples = File.Exists(samplesPath)
            ? CsvMapping.FromSamples(CsvFiles.Read<LatencySampleRecord>(samplesPath, ["variant", "backend", "image", "ms"]))
            : [];

        var envPath = Path.Combine(folder, ResultFiles.Environment);
        EnvironmentInfo? env = null;
        if (File.Exists(envPath))
        {
            try
            {
                env = EnvironmentJson.Deserialize(File.ReadAllText(envPath));
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new DataFormatException(envPath, (int)(ex.LineNumber ?? 0) + 1, ex.Message, ex);
            }
        }

        var (baselineVariant, referenceBackend) = LatencyReference(rows);
        return new RunResults
        {
            Suite = suite,
            Detector = detector,
            Dataset = records[0].Dataset,
            IsSubset = records[0].Subset,
            Environment = env,
            BaselineVariant = baselineVariant,
            ReferenceBackend = referenceBackend,
            Rows = rows,
            LatencySamples = samples,
        };
    }

    /// <summary>
    /// The row latency is normalised by: <c>nms</c> on <c>scalar</c> in a plain run. A sweep labels
    /// rows by canonical configuration and may lack scalar: there it is nms's default configuration
    /// on the first backend that ran it.
    /// </summary>
    private static (string Variant, string Backend) LatencyReference(List<ResultRow> rows)
    {
        var variant = RunResults.DefaultBaselineVariant;
        if (!rows.Exists(r => r.Variant == variant))
        {
            var nmsDefault = PostProcessing.VariantSpec.Default(PostProcessing.VariantKind.Nms).ToString();
            if (rows.Exists(r => r.Variant == nmsDefault)) variant = nmsDefault;
        }
        var backend = RunResults.DefaultReferenceBackend;
        if (!rows.Exists(r => r.Variant == variant && r.Backend == backend && r.IsOk))
        {
            backend = rows.Find(r => r.Variant == variant && r.IsOk)?.Backend ?? backend;
        }
        return (variant, backend);
    }
}
