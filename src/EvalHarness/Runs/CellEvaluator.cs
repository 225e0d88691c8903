using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Runs;

/// <summary>One cell over all processed images: its status, evaluation and latency samples.</summary>
internal sealed class CellSummary
{
    public RowStatus Status { get; init; }
    public string? Reason { get; init; }

    /// <summary>Set when <see cref="Status"/> is ok, as are the members below.</summary>
    public CellMeasurements? Measurements { get; init; }

    public EvaluationResult? Evaluation { get; init; }

    /// <summary>AP by face subset of the same output (null when the run computes no breakdown).</summary>
    public IReadOnlyList<BreakdownBucket>? Breakdown { get; init; }

    public long Detections { get; init; }

    /// <summary>Every timed repeat: <c>SampleImages[i]</c> took <c>Samples[i]</c> ms.</summary>
    public string[]? SampleImages { get; init; }

    public double[]? Samples { get; init; }
}

/// <summary>
/// Detections → evaluation result for the cells of one run: hashes each cell's output (per image
/// its key, boxes, scores and the flat indices of the kept candidates) and evaluates every
/// distinct output once, so backends that agree exactly share one evaluation (and, downstream,
/// one set of resampled APs). Equal hashes are the run's equivalence: same candidates kept, same
/// boxes and scores to the bit.
/// </summary>
internal sealed class CellEvaluator
{
    private readonly List<ImageOutcome> _processed;
    private readonly GroundTruth _groundTruth;
    private readonly string[] _imageKeys;
    private readonly IReadOnlyList<BreakdownKind>? _breakdownKinds;
    private readonly Dictionary<string, (EvaluationResult Result, IReadOnlyList<BreakdownBucket>? Breakdown)> _evaluations = new(StringComparer.Ordinal);

    /// <param name="processed">The images that were processed, in the run's order.</param>
    /// <param name="groundTruth">Their ground truth, in the same order.</param>
    /// <param name="breakdownKinds">The face subsets to break each distinct output's AP down by (null: none).</param>
    public CellEvaluator(List<ImageOutcome> processed, GroundTruth groundTruth, IReadOnlyList<BreakdownKind>? breakdownKinds = null)
    {
        _breakdownKinds = breakdownKinds;
        if (processed.Count != groundTruth.Images.Count) throw new ArgumentException($"{processed.Count} outcomes for {groundTruth.Images.Count} ground-truth images");
        _processed = processed;
        _groundTruth = groundTruth;
        _imageKeys = new string[processed.Count];
        for (var i = 0; i < processed.Count; i++) _imageKeys[i] = CellMeasurements.KeyOf(processed[i].Event, processed[i].ImageKey);
    }

    /// <summary>The processed images' keys in the run's order (what the row statistics resample).</summary>
    public IReadOnlyList<string> ImageKeys => _imageKeys;

    /// <summary>Distinct outputs evaluated so far.</summary>
    public int DistinctEvaluations => _evaluations.Count;

    public CellSummary Summarise(int cell)
    {
        foreach (var o in _processed)
        {
            var c = o.Cells[cell];
            if (c.Status == CellStatus.NotAvailable) return new CellSummary { Status = RowStatus.NotApplicable, Reason = c.Message };
        }
        foreach (var o in _processed)
        {
            var c = o.Cells[cell];
            if (c.Status == CellStatus.Failed) return new CellSummary { Status = RowStatus.Failed, Reason = c.Message };
        }

        var predictions = new PredictionSet { Source = "in-memory" };
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var medians = new double[_processed.Count];
        var sampleImages = new List<string>();
        var samples = new List<double>();
        long detections = 0;
        for (var i = 0; i < _processed.Count; i++)
        {
            var o = _processed[i];
            var c = o.Cells[cell];
            var boxes = new PredBox[c.DetectionCount];
            for (var d = 0; d < boxes.Length; d++)
            {
                var k = d * 5;
                boxes[d] = PredictionFormat.ToPredBox(c.Detections[k], c.Detections[k + 1], c.Detections[k + 2], c.Detections[k + 3], c.Detections[k + 4]);
            }
            detections += boxes.Length;
            predictions.Set(new ImagePredictions { Event = o.Event, ImageKey = o.ImageKey, Boxes = boxes });
            hash.AppendData(Encoding.UTF8.GetBytes($"{o.Event}/{o.ImageKey}\n"));
            hash.AppendData(MemoryMarshal.AsBytes(c.Detections.AsSpan()));
            hash.AppendData(MemoryMarshal.AsBytes(c.FlatIndex.AsSpan()));
            medians[i] = Percentiles.Median(c.SamplesMs);
            foreach (var ms in c.SamplesMs)
            {
                sampleImages.Add(o.ImageKey);
                samples.Add(ms);
            }
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!_evaluations.TryGetValue(sha, out var evaluation))
        {
            evaluation = (WiderFaceEvaluator.Evaluate(_groundTruth, predictions, EvalOptions.Default),
                _breakdownKinds is null ? null : SubsetBreakdown.Compute(_groundTruth, predictions, EvalOptions.Default, _breakdownKinds));
            _evaluations[sha] = evaluation;
        }
        return new CellSummary
        {
            Status = RowStatus.Ok,
            Evaluation = evaluation.Result,
            Breakdown = evaluation.Breakdown,
            Measurements = new CellMeasurements(sha, evaluation.Result.Records, _imageKeys, medians),
            Detections = detections,
            SampleImages = sampleImages.ToArray(),
            Samples = samples.ToArray(),
        };
    }
}
