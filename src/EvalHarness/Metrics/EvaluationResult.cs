using EvalHarness.Datasets;

namespace EvalHarness.Metrics;

/// <summary>
/// One setting's result: the AP, the counted faces, and the curve at the 1000 thresholds
/// (<c>thr_t = 1 − (t+1)/1000</c>, falling); precision is NaN where no prediction reaches the threshold.
/// </summary>
public sealed record SettingResult(Setting Setting, double Ap, int Faces, double[] Thresholds, double[] Precision, double[] Recall);

/// <summary>Wall times of the evaluation's stages (reading is zero for in-memory predictions).</summary>
public sealed record EvaluationTimings(TimeSpan Read, TimeSpan Normalize, TimeSpan Evaluate)
{
    public TimeSpan Total => Read + Normalize + Evaluate;
}

public sealed class EvaluationResult
{
    private readonly SettingResult[] _settings;

    internal EvaluationResult(SettingResult[] settings, GroundTruth groundTruth, EvalProtocol protocol, ImageEvalRecords records,
        IReadOnlyList<string> warnings, EvaluationTimings timings, double scoreMin, double scoreMax)
    {
        _settings = settings;
        Protocol = protocol;
        IsSubset = groundTruth.IsSubset;
        ImageCount = groundTruth.Images.Count;
        GroundTruthSource = groundTruth.Source;
        Records = records;
        Warnings = warnings;
        Timings = timings;
        ScoreMin = scoreMin;
        ScoreMax = scoreMax;
    }

    public SettingResult this[Setting setting] => _settings[(int)setting];

    /// <summary>Easy, medium, hard.</summary>
    public IReadOnlyList<SettingResult> Settings => _settings;

    public EvalProtocol Protocol { get; }

    /// <summary>True when only part of the ground truth was evaluated: such an AP is never comparable with full-set numbers.</summary>
    public bool IsSubset { get; }

    public int ImageCount { get; }

    public string GroundTruthSource { get; }

    /// <summary>Per-image records for reweighted AP (bootstrap).</summary>
    public ImageEvalRecords Records { get; }

    /// <summary>What the evaluation tolerated (matlab protocol, --lenient): missing or malformed files.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public EvaluationTimings Timings { get; }

    /// <summary>The min-max normalisation used: <c>s ← (s − ScoreMin)/(ScoreMax − ScoreMin)</c>.</summary>
    public double ScoreMin { get; }

    public double ScoreMax { get; }
}
