using EvalHarness.Datasets;
using EvalHarness.IO;

namespace EvalHarness.Metrics;

/// <summary>
/// What differs between the two published evaluators: how a folder is read, which scores the
/// min-max normalisation spans, and in which order an image's predictions are matched. Matching,
/// accumulation and AP are shared (<see cref="ImageEvaluator"/>, <see cref="PrecisionRecall"/>).
/// </summary>
internal interface IEvaluationProtocol
{
    PredictionSet ReadFolder(GroundTruth groundTruth, string predictionDir, EvalOptions options, ICollection<string> warnings);

    (double Min, double Max) NormalizationRange(GroundTruth groundTruth, PredictionSet predictions);

    /// <summary>The image's predictions in matching order; <paramref name="predictionDir"/> (null in memory) names a missing file.</summary>
    PredBox[] PredictionsFor(GroundTruthImage image, PredictionSet predictions, EvalOptions options, ICollection<string> warnings, string? predictionDir);

    static IEvaluationProtocol For(EvalProtocol protocol) => protocol switch
    {
        EvalProtocol.Python => PythonProtocol.Instance,
        EvalProtocol.Matlab => MatlabProtocol.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };
}

/// <summary>
/// The public Python port. Kept on purpose: results depend on line order; every file read
/// (also of images outside the ground truth) enters the normalisation; the running max starts
/// at 0 and the running min at 1.
/// </summary>
internal sealed class PythonProtocol : IEvaluationProtocol
{
    public static readonly PythonProtocol Instance = new();

    public PredictionSet ReadFolder(GroundTruth groundTruth, string predictionDir, EvalOptions options, ICollection<string> warnings) =>
        PredictionFolderReader.ReadPython(predictionDir, options.Lenient, warnings);

    public (double Min, double Max) NormalizationRange(GroundTruth groundTruth, PredictionSet predictions)
    {
        // norm_score: max_score = max(_max, max_score) with Python's max, starting from 0 and 1.
        double max = 0, min = 1;
        foreach (var image in predictions.Images)
        {
            var boxes = image.Boxes;
            if (boxes.Length == 0) continue;
            var imageMin = boxes[0].Score;
            var imageMax = boxes[0].Score;
            foreach (var box in boxes)
            {
                if (double.IsNaN(box.Score))
                {
                    // With a NaN the port's running min/max depend on its directory listing order.
                    throw new EvalHarnessException(
                        $"{image.Event}/{image.ImageKey}: a NaN score; the python port's normalisation would depend on directory order, so it is rejected");
                }
                if (box.Score < imageMin) imageMin = box.Score;
                if (box.Score > imageMax) imageMax = box.Score;
            }
            if (max > imageMax) imageMax = max;
            max = imageMax;
            if (min < imageMin) imageMin = min;
            min = imageMin;
        }
        return (min, max);
    }

    /// <summary>
    /// The port stops at the first ground-truth image without a prediction file; say how many are
    /// missing and which option fits: a folder missing whole events is a partial run (<c>--subset</c>
    /// evaluates what is there), a few lost files in present events are more likely images to count
    /// as missed (<c>--lenient</c> / <c>--protocol matlab</c>).
    /// </summary>
    public static void RequireEveryImage(GroundTruth groundTruth, PredictionSet predictions, string predictionDir)
    {
        GroundTruthImage? first = null;
        var missingImages = 0;
        var missingEvents = new List<string>();
        var events = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in groundTruth.Images)
        {
            if (events.Add(image.Event) && !Directory.Exists(Path.Combine(predictionDir, image.Event))) missingEvents.Add(image.Event);
            if (predictions.TryGet(image.ImageKey, out var found) && found.Event == image.Event) continue;
            first ??= image;
            missingImages++;
        }
        if (first is null) return;
        var where = missingEvents.Count > 0 ? Path.Combine(predictionDir, missingEvents[0]) : Path.Combine(predictionDir, first.Event, first.ImageKey + ".txt");
        var total = groundTruth.Images.Count;
        var present = total - missingImages;
        var message = missingEvents.Count > 0
            ? $"{missingImages} of {total} ground-truth images have no prediction file, {missingEvents.Count} of {events.Count} event folders are missing (first: '{missingEvents[0]}'; the python port stops at the first with a KeyError). "
              + $"For a partial run use --subset to evaluate the {present} images that have predictions (the AP is labelled a subset); --lenient or --protocol matlab count the missing images as having no detections"
            : $"{Plural(missingImages, "ground-truth image")} of {total} {(missingImages == 1 ? "has" : "have")} no prediction file naming {(missingImages == 1 ? "it" : "them")} on its first line (the python port stops at the first with a KeyError). "
              + $"Add {(missingImages == 1 ? "it" : "them")}, or use --lenient or --protocol matlab to count {(missingImages == 1 ? "it as an image" : "them as images")} without detections, or --subset to leave {(missingImages == 1 ? "it" : "them")} out (the AP is then labelled a subset)";
        throw new DataFormatException(where, 0, message);
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    public PredBox[] PredictionsFor(GroundTruthImage image, PredictionSet predictions, EvalOptions options, ICollection<string> warnings, string? predictionDir)
    {
        if (predictions.TryGet(image.ImageKey, out var found) && found.Event == image.Event) return found.Boxes;
        var where = predictionDir is null ? $"{image.Event}/{image.ImageKey}" : Path.Combine(predictionDir, image.Event, image.ImageKey + ".txt");
        if (options.Lenient)
        {
            warnings.Add($"{where}: no predictions for this ground-truth image; it has no detections (--lenient)");
            return [];
        }
        var what = predictionDir is not null && !Directory.Exists(Path.Combine(predictionDir, image.Event))
            ? $"event folder '{image.Event}' is missing"
            : $"no prediction file names image '{image.ImageKey}' on its first line";
        var message = $"{what} (the python port stops here with a KeyError); add it, or use --lenient or --protocol matlab to treat it as no detections";
        throw predictionDir is null ? new EvalHarnessException($"{where}: {message}") : new DataFormatException(where, 0, message);
    }
}

/// <summary>The official MATLAB eval_tools: per-image stable sort by score, true min-max over the ground-truth images.</summary>
internal sealed class MatlabProtocol : IEvaluationProtocol
{
    public static readonly MatlabProtocol Instance = new();

    public PredictionSet ReadFolder(GroundTruth groundTruth, string predictionDir, EvalOptions options, ICollection<string> warnings) =>
        PredictionFolderReader.ReadMatlab(predictionDir, groundTruth, warnings);

    public (double Min, double Max) NormalizationRange(GroundTruth groundTruth, PredictionSet predictions)
    {
        // MATLAB's min/max skip NaN.
        double max = double.NegativeInfinity, min = double.PositiveInfinity;
        foreach (var image in groundTruth.Images)
        {
            if (!predictions.TryGet(image.ImageKey, out var found) || found.Event != image.Event) continue;
            foreach (var box in found.Boxes)
            {
                if (box.Score > max) max = box.Score;
                if (box.Score < min) min = box.Score;
            }
        }
        return (min, max);
    }

    public PredBox[] PredictionsFor(GroundTruthImage image, PredictionSet predictions, EvalOptions options, ICollection<string> warnings, string? predictionDir)
    {
        if (!predictions.TryGet(image.ImageKey, out var found) || found.Event != image.Event)
        {
            // A folder read by ReadMatlab already warned about its missing files.
            if (predictionDir is null) warnings.Add($"{image.Event}/{image.ImageKey}: no predictions; the image has no detections");
            return [];
        }
        // A stable sort leaves an already sorted list as it is (folders read by ReadMatlab are).
        if (IsSortedDescending(found.Boxes)) return found.Boxes;
        var sorted = (PredBox[])found.Boxes.Clone();
        PredictionFolderReader.SortByScoreDescendingStable(sorted);
        return sorted;
    }

    /// <summary>Whether the scores already run NaN first, then non-increasing.</summary>
    private static bool IsSortedDescending(PredBox[] boxes)
    {
        for (var i = 1; i < boxes.Length; i++)
        {
            var previous = boxes[i - 1].Score;
            var current = boxes[i].Score;
            if (double.IsNaN(current) ? !double.IsNaN(previous) : !double.IsNaN(previous) && current > previous) return false;
        }
        return true;
    }
}
