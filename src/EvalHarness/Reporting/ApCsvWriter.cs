using EvalHarness.Datasets;
using EvalHarness.Metrics;

namespace EvalHarness.Reporting;

/// <summary>Writes ap.csv (<c>setting,ap,faces</c>), one row per setting, atomically.</summary>
public static class ApCsvWriter
{
    public const string FileName = "ap.csv";

    public static void Write(string path, EvaluationResult result)
    {
        var rows = new List<ApCsvRow>(3);
        foreach (var setting in result.Settings)
        {
            rows.Add(new ApCsvRow { Setting = setting.Setting.Id(), Ap = setting.Ap, Faces = setting.Faces });
        }
        Csv.CsvFiles.Write(path, rows);
    }
}

/// <summary>Writes pr_curve.csv (<c>setting,threshold,precision,recall</c>), 1000 rows per setting, atomically.</summary>
public static class PrCurveCsvWriter
{
    public const string FileName = "pr_curve.csv";

    public static void Write(string path, EvaluationResult result)
    {
        var rows = new List<PrCurveCsvRow>(3 * 1000);
        foreach (var setting in result.Settings)
        {
            var id = setting.Setting.Id();
            for (var t = 0; t < setting.Thresholds.Length; t++)
            {
                rows.Add(new PrCurveCsvRow { Setting = id, Threshold = setting.Thresholds[t], Precision = setting.Precision[t], Recall = setting.Recall[t] });
            }
        }
        Csv.CsvFiles.Write(path, rows);
    }
}
