using EvalHarness.Sources;

namespace EvalHarness.Runs;

/// <summary>How one variant × backend cell ended on one image.</summary>
public enum CellStatus : byte
{
    Ok = 0,
    /// <summary>The backend lacks the variant or is not present on this machine.</summary>
    NotAvailable = 1,
    /// <summary>The backend failed (e.g. a GPU fault); other backends' results stand.</summary>
    Failed = 2,
}

/// <summary>
/// The result of one variant on one backend for one image: its detections (x1, y1, x2, y2,
/// score per detection, in output order), the candidate each detection came from, and the timed
/// repeats in milliseconds.
/// </summary>
public sealed class CellOutcome
{
    public required CellStatus Status { get; init; }
    public string? Message { get; init; }
    public float[] Detections { get; init; } = [];

    /// <summary>
    /// Per detection, the flat index of the candidate it came from: backends are equivalent when
    /// they keep the same candidates, not merely equal boxes, so the output hash covers these too.
    /// </summary>
    public int[] FlatIndex { get; init; } = [];

    public double[] SamplesMs { get; init; } = [];
    public int DetectionCount => Detections.Length / 5;
}

/// <summary>
/// Everything a run keeps about one image. It is written to disk as soon as the image is done,
/// so an interrupted run resumes from these records and shards merge by collecting them.
/// </summary>
public sealed class ImageOutcome
{
    public required int ImageIndex { get; init; }
    public required string Event { get; init; }
    public required string ImageKey { get; init; }
    public int CandidateCount { get; init; }
    public StageTimings Stages { get; init; }

    /// <summary>Set when the image could not be processed; it is then left out of the evaluation and listed in the results.</summary>
    public string? Error { get; init; }

    /// <summary>Indexed [variant * backendCount + backend], in the plan's order.</summary>
    public CellOutcome[] Cells { get; init; } = [];
}
