using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Sweeps;

/// <summary>One configuration on one backend: the sweep.csv row.</summary>
internal sealed record SweepRow
{
    /// <summary>The canonical configuration label (<c>VariantSpec.ToString()</c>): the key of merge and compare.</summary>
    public required string Configuration { get; init; }
    public required string Family { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required string Backend { get; init; }
    public string Device { get; init; } = "";
    public RowStatus Status { get; init; } = RowStatus.Ok;
    public string? Reason { get; init; }
    public PerSetting<double>? Ap { get; init; }
    public LatencyStats? Latency { get; init; }
    public bool OnFrontier { get; init; }
    public long Detections { get; init; }
    public string DetectionsSha256 { get; init; } = "";
    public bool IsOk => Status == RowStatus.Ok;
}

/// <summary>One family's choice for one fold: the tuning.csv row.</summary>
internal sealed record TuningPick
{
    public required string Family { get; init; }
    public required int Fold { get; init; }
    public required int HeldOutImages { get; init; }

    /// <summary>The configuration chosen on the other folds; null when none was eligible.</summary>
    public string? Pick { get; init; }
    public double TuneObjective { get; init; } = double.NaN;
    public double TuneMedianMs { get; init; } = double.NaN;
    public PerSetting<double>? TuneAp { get; init; }
    public PerSetting<double>? HeldOutAp { get; init; }
}

/// <summary>A tuned family: its picks assembled over the held-out folds, against tuned nms.</summary>
internal sealed record TunedFamily
{
    public required string Family { get; init; }

    /// <summary>The pick of each fold (null where nothing was eligible).</summary>
    public required IReadOnlyList<string?> Picks { get; init; }

    /// <summary>AP of the assembled held-out detections; null when some fold had no pick.</summary>
    public PerSetting<double>? Ap { get; init; }
    public PerSetting<Interval>? DeltaAp { get; init; }
    public IReadOnlyList<TunedLatency> Latency { get; init; } = [];

    /// <summary>Why there is no tuned AP (e.g. no configuration met the latency bound in a fold).</summary>
    public string? Problem { get; init; }

    /// <summary>True when every fold picked the same configuration.</summary>
    public bool IsStable
    {
        get
        {
            for (var i = 1; i < Picks.Count; i++)
            {
                if (Picks[i] != Picks[0]) return false;
            }
            return true;
        }
    }
}

/// <summary>A tuned family's latency on one backend (its picks' per-image medians) and its ratio to tuned nms.</summary>
internal sealed record TunedLatency(string Backend, LatencyStats? Latency, Interval? RatioToNms);

/// <summary>One fold: its events (WIDER) and image count.</summary>
internal sealed record FoldInfo(int Fold, int Images, IReadOnlyList<string> Events);

/// <summary>The frontier of one backend, fastest first.</summary>
internal sealed record ParetoEntry(string Backend, int Order, string Configuration, string Family, double MedianMs, PerSetting<double> Ap);

/// <summary>The grid axes of a family (written order), for the sensitivity charts.</summary>
internal sealed record FamilyAxes(string Family, IReadOnlyList<GridAxis> Axes);

/// <summary>Everything a sweep produced; the sweep exporters read only this (and the run's rows in <see cref="Run"/>).</summary>
internal sealed record SweepResults
{
    public required RunResults Run { get; init; }
    public required TuningObjective Objective { get; init; }
    public required string FoldRule { get; init; }
    public required IReadOnlyList<FoldInfo> Folds { get; init; }
    public required IReadOnlyList<SweepRow> Rows { get; init; }
    public required IReadOnlyList<TuningPick> Tuning { get; init; }
    public required IReadOnlyList<TunedFamily> Tuned { get; init; }

    /// <summary>Verdicts on the tuned gradient-clipping families and the matched-accuracy speed verdict.</summary>
    public required IReadOnlyList<ClaimVerdict> TunedVerdicts { get; init; }

    /// <summary>Verdicts on each family's default configuration (the fixed comparison of a plain run).</summary>
    public required IReadOnlyList<ClaimVerdict> UntunedVerdicts { get; init; }

    public required IReadOnlyList<ParetoEntry> Pareto { get; init; }
    public required IReadOnlyList<FamilyAxes> Axes { get; init; }
    public required string AccuracyBackend { get; init; }
    public required string TuningBackend { get; init; }
    public required int ImageCount { get; init; }
    public TimeSpan AccuracyPass { get; init; }
    public TimeSpan LatencyPass { get; init; }
    public TimeSpan Analysis { get; init; }

    /// <summary>Family of the matched-accuracy verdict (any gradient-clipping configuration).</summary>
    public const string MatchedFamily = "gradient clipping (any gc variant)";
}
