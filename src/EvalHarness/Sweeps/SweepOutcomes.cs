using EvalHarness.Datasets;
using EvalHarness.Reporting;
using EvalHarness.Runs;

namespace EvalHarness.Sweeps;

/// <summary>
/// A sharded sweep's measurements as per-image outcomes (the run's <see cref="ImageOutcomeStore"/>
/// format), so <c>merge</c> collects the shards like a plain run's and analyses them together.
/// Cells are <c>[configuration × (backends + 1)]</c>: one per backend (timed repeats; detections
/// only where the backend's differ from the accuracy pass's, flagged <see cref="OwnDetections"/>)
/// and a last one holding the accuracy pass's detections.
/// </summary>
internal static class SweepOutcomes
{
    /// <summary>The message of an ok backend cell that carries its own detections.</summary>
    public const string OwnDetections = "own detections";

    public static List<ImageOutcome> ToOutcomes(SweepMeasurements m, IReadOnlyList<int> sourceIndices)
    {
        var backends = m.Backends.Count;
        var stride = backends + 1;
        var outcomes = new List<ImageOutcome>(m.Images.Count);
        for (var n = 0; n < m.Images.Count; n++)
        {
            var cells = new CellOutcome[m.Configurations.Count * stride];
            for (var c = 0; c < m.Configurations.Count; c++)
            {
                for (var b = 0; b < backends; b++)
                {
                    var cell = m.Cells[b][c];
                    var reps = cell.PerImageMedians.Length == 0 ? 0 : cell.Samples.Length / cell.PerImageMedians.Length;
                    cells[(c * stride) + b] = new CellOutcome
                    {
                        Status = cell.Status switch { RowStatus.Ok => CellStatus.Ok, RowStatus.NotApplicable => CellStatus.NotAvailable, _ => CellStatus.Failed },
                        Message = cell.Status == RowStatus.Ok ? (cell.OwnDetections is null ? null : OwnDetections) : cell.Reason,
                        Detections = cell.OwnDetections?[n] ?? [],
                        SamplesMs = reps == 0 ? [] : cell.Samples.AsSpan(n * reps, reps).ToArray(),
                    };
                }
                cells[(c * stride) + backends] = new CellOutcome { Status = CellStatus.Ok, Detections = m.Detections[c][n] };
            }
            outcomes.Add(new ImageOutcome
            {
                ImageIndex = sourceIndices[n],
                Event = m.Images[n].Event,
                ImageKey = m.Images[n].ImageKey,
                CandidateCount = n < m.CandidateCounts.Length ? m.CandidateCounts[n] : 0,
                Cells = cells,
            });
        }
        return outcomes;
    }

    /// <summary>Rebuilds the measurements of the union of shards (outcomes of every image, any order).</summary>
    public static SweepMeasurements FromOutcomes(IReadOnlyList<ImageOutcome> outcomes, IReadOnlyList<PostProcessing.VariantSpec> configurations,
        IReadOnlyList<string> backendNames, IReadOnlyList<string> devices, int repeats, GroundTruth groundTruth, string accuracyBackend)
    {
        var ok = outcomes.Where(o => o.Error is null).OrderBy(o => o.ImageIndex).ToList();
        var backends = backendNames.Count;
        var stride = backends + 1;
        var images = new List<ImageRef>(ok.Count);
        var gtImages = new List<GroundTruthImage>(ok.Count);
        foreach (var o in ok)
        {
            if (o.Cells.Length != configurations.Count * stride)
            {
                throw new IO.DataFormatException($"image {o.ImageIndex}", 0, $"sweep outcome has {o.Cells.Length} cells, expected {configurations.Count * stride}");
            }
            images.Add(new ImageRef(o.Event, o.ImageKey, null, 0, 0));
            gtImages.Add(groundTruth.Images[o.ImageIndex]);
        }
        var detections = new float[configurations.Count][][];
        var hashes = new string[configurations.Count];
        var cells = new SweepCell[backends][];
        for (var b = 0; b < backends; b++) cells[b] = new SweepCell[configurations.Count];
        for (var c = 0; c < configurations.Count; c++)
        {
            detections[c] = ok.Select(o => o.Cells[(c * stride) + backends].Detections).ToArray();
            hashes[c] = SweepExecutor.Hash(images, detections[c]);
            for (var b = 0; b < backends; b++)
            {
                var failed = ok.Select(o => o.Cells[(c * stride) + b]).FirstOrDefault(x => x.Status != CellStatus.Ok);
                if (failed is not null)
                {
                    cells[b][c] = new SweepCell { Status = failed.Status == CellStatus.NotAvailable ? RowStatus.NotApplicable : RowStatus.Failed, Reason = failed.Message };
                    continue;
                }
                // Shards decide "own" separately: take each image's own detections where its shard had them.
                float[][]? own = null;
                if (ok.Any(o => o.Cells[(c * stride) + b].Message == OwnDetections))
                {
                    own = ok.Select(o => o.Cells[(c * stride) + b] is { Message: OwnDetections } mine ? mine.Detections : o.Cells[(c * stride) + backends].Detections).ToArray();
                    if (SweepExecutor.Hash(images, own) == hashes[c]) own = null;
                }
                var samples = ok.SelectMany(o => o.Cells[(c * stride) + b].SamplesMs).ToArray();
                var medians = ok.Select(o => Metrics.Statistics.Percentiles.Median(o.Cells[(c * stride) + b].SamplesMs)).ToArray();
                cells[b][c] = new SweepCell
                {
                    Status = RowStatus.Ok,
                    PerImageMedians = medians,
                    Samples = samples,
                    OwnDetections = own,
                    DetectionsSha256 = own is null ? hashes[c] : SweepExecutor.Hash(images, own),
                };
            }
        }
        return new SweepMeasurements
        {
            Configurations = configurations,
            Images = images,
            GroundTruth = new GroundTruth { Images = gtImages, Source = groundTruth.Source, IsSubset = groundTruth.IsSubset || gtImages.Count < groundTruth.Images.Count },
            Detections = detections,
            DetectionsSha256 = hashes,
            AccuracyBackend = accuracyBackend,
            Backends = backendNames,
            Devices = devices,
            Cells = cells,
            Repeats = repeats,
            CandidateCounts = ok.Select(o => o.CandidateCount).ToArray(),
        };
    }
}
