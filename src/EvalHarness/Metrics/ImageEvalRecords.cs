using EvalHarness.Datasets;

namespace EvalHarness.Metrics;

/// <summary>
/// The per-image results of an evaluation (phase 1), kept so the curve and AP can be
/// recomputed for any reweighting of the images, e.g. a paired bootstrap.
/// <para>
/// Image i's contribution to the proposal and true-positive counts at threshold t is a step
/// function of t; it is stored as the thresholds where it changes and the change in each
/// count. All counts are integers, so accumulating them in any order is exact, and
/// <see cref="ApWithWeights"/> with all weights 1 reproduces the evaluation's AP bit for bit.
/// </para>
/// <para>
/// The scores were normalised once over the whole prediction set before phase 1; a reweighted
/// AP keeps that normalisation (resampling images does not renormalise), which is what a
/// bootstrap of a fixed evaluation should do.
/// </para>
/// </summary>
public sealed class ImageEvalRecords
{
    private readonly int[] _stepStart;
    private readonly short[] _stepThreshold;
    private readonly int[][] _stepProposals;
    private readonly int[][] _stepTruePositives;
    private readonly int[][] _countedFaces;

    internal ImageEvalRecords(IReadOnlyList<GroundTruthImage> images, int[] stepStart, short[] stepThreshold, int[][] stepProposals, int[][] stepTruePositives, int[][] countedFaces)
    {
        Images = images;
        _stepStart = stepStart;
        _stepThreshold = stepThreshold;
        _stepProposals = stepProposals;
        _stepTruePositives = stepTruePositives;
        _countedFaces = countedFaces;
    }

    /// <summary>The evaluated images, in evaluation order (index i of a weight vector is image i).</summary>
    public IReadOnlyList<GroundTruthImage> Images { get; }

    public int ImageCount => Images.Count;

    /// <summary>
    /// The AP with image i counted <c>weights[i]</c> times (0 leaves it out). All ones gives the
    /// evaluation's AP exactly. Thread-safe (the records are immutable), so bootstrap replicates
    /// can run in parallel; about 0.6 ms per call on the full val set.
    /// </summary>
    public double ApWithWeights(Setting setting, ReadOnlySpan<int> weights)
    {
        if (weights.Length != ImageCount)
        {
            throw new ArgumentException($"{weights.Length} weights for {ImageCount} images", nameof(weights));
        }
        Span<long> proposals = stackalloc long[ImageEvaluator.ThresholdCount];
        Span<long> truePositives = stackalloc long[ImageEvaluator.ThresholdCount];
        var faces = Accumulate(setting, weights, proposals, truePositives);
        return PrecisionRecall.AveragePrecision(proposals, truePositives, faces);
    }

    /// <summary>
    /// Phase 2 (pycocotools' <c>accumulate</c>): the dataset's proposal and true-positive count per
    /// threshold and the number of counted faces, each image weighted (empty weights: all 1).
    /// </summary>
    internal long Accumulate(Setting setting, ReadOnlySpan<int> weights, Span<long> proposals, Span<long> truePositives)
    {
        var s = (int)setting;
        var stepProposals = _stepProposals[s];
        var stepTruePositives = _stepTruePositives[s];
        var counted = _countedFaces[s];
        // Difference arrays: each step adds its change from its threshold on.
        proposals.Clear();
        truePositives.Clear();
        long faces = 0;
        for (var i = 0; i < ImageCount; i++)
        {
            long w = weights.IsEmpty ? 1 : weights[i];
            if (w == 0) continue;
            faces += w * counted[i];
            for (var k = _stepStart[i]; k < _stepStart[i + 1]; k++)
            {
                int t = _stepThreshold[k];
                proposals[t] += w * stepProposals[k];
                truePositives[t] += w * stepTruePositives[k];
            }
        }
        for (var t = 1; t < proposals.Length; t++)
        {
            proposals[t] += proposals[t - 1];
            truePositives[t] += truePositives[t - 1];
        }
        return faces;
    }
}

/// <summary>Collects the steps of consecutive images (one builder per worker, merged in image order).</summary>
internal sealed class RecordsBuilder
{
    private readonly List<int> _imageStepCount = [];
    private readonly List<short> _stepThreshold = [];
    private readonly List<int> _stepIndex = [];
    private readonly List<int>[] _stepProposals = [[], [], []];
    private readonly List<int>[] _stepTruePositives = [[], [], []];
    private readonly List<int>[] _countedFaces = [[], [], []];
    private int _imageFirstStep;

    public void BeginImage(GroundTruthImage gt)
    {
        _imageFirstStep = _stepThreshold.Count;
        foreach (var setting in SettingExtensions.All) _countedFaces[(int)setting].Add(gt.CountedFaces(setting));
    }

    /// <summary>From threshold <paramref name="threshold"/> on, the image's last counted prediction is <paramref name="lastIndex"/>.</summary>
    public void AddStep(int threshold, int lastIndex)
    {
        _stepThreshold.Add((short)threshold);
        _stepIndex.Add(lastIndex);
    }

    /// <summary>Turns the running counts at each step's last prediction into changes from the previous step.</summary>
    public void WriteSettingValues(Setting setting, ReadOnlySpan<int> runningProposals, ReadOnlySpan<int> runningTruePositives)
    {
        var proposals = _stepProposals[(int)setting];
        var truePositives = _stepTruePositives[(int)setting];
        int previousProposals = 0, previousTruePositives = 0;
        for (var k = _imageFirstStep; k < _stepThreshold.Count; k++)
        {
            var r = _stepIndex[k];
            proposals.Add(runningProposals[r] - previousProposals);
            truePositives.Add(runningTruePositives[r] - previousTruePositives);
            previousProposals = runningProposals[r];
            previousTruePositives = runningTruePositives[r];
        }
    }

    public void EndImage() => _imageStepCount.Add(_stepThreshold.Count - _imageFirstStep);

    public static ImageEvalRecords Merge(IReadOnlyList<GroundTruthImage> images, IReadOnlyList<RecordsBuilder> parts)
    {
        var totalSteps = 0;
        foreach (var part in parts) totalSteps += part._stepThreshold.Count;
        var stepStart = new int[images.Count + 1];
        var thresholds = new short[totalSteps];
        var proposals = new int[3][];
        var truePositives = new int[3][];
        var counted = new int[3][];
        for (var s = 0; s < 3; s++)
        {
            proposals[s] = new int[totalSteps];
            truePositives[s] = new int[totalSteps];
            counted[s] = new int[images.Count];
        }
        int image = 0, step = 0;
        foreach (var part in parts)
        {
            part._stepThreshold.CopyTo(thresholds, step);
            for (var s = 0; s < 3; s++)
            {
                part._stepProposals[s].CopyTo(proposals[s], step);
                part._stepTruePositives[s].CopyTo(truePositives[s], step);
                part._countedFaces[s].CopyTo(counted[s], image);
            }
            foreach (var count in part._imageStepCount)
            {
                stepStart[image] = step;
                step += count;
                image++;
            }
        }
        if (image != images.Count) throw new InvalidOperationException($"records for {image} images, expected {images.Count}");
        stepStart[image] = step;
        return new ImageEvalRecords(images, stepStart, thresholds, proposals, truePositives, counted);
    }
}
