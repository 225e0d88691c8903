using CsvHelper;

namespace EvalHarness.Reporting;

/// <summary>A row of ap.csv.</summary>
[CsvRecord]
public sealed partial class ApCsvRow
{
    [CsvColumn("setting")]
    public string Setting { get; set; } = "";

    /// <summary>Float64; CsvHelper writes the shortest round-trip text (invariant culture).</summary>
    [CsvColumn("ap")]
    public double Ap { get; set; }

    [CsvColumn("faces")]
    public int Faces { get; set; }
}

/// <summary>A row of pr_curve.csv: one threshold of one setting.</summary>
[CsvRecord]
public sealed partial class PrCurveCsvRow
{
    [CsvColumn("setting")]
    public string Setting { get; set; } = "";

    [CsvColumn("threshold")]
    public double Threshold { get; set; }

    /// <summary>NaN where no prediction reaches the threshold.</summary>
    [CsvColumn("precision")]
    public double Precision { get; set; }

    [CsvColumn("recall")]
    public double Recall { get; set; }
}
