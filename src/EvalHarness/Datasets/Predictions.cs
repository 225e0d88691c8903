using System.Globalization;

namespace EvalHarness.Datasets;

/// <summary>One detection as an evaluator reads it: float64 x, y, w, h, score (WIDER submission format).</summary>
public readonly record struct PredBox(double X, double Y, double W, double H, double Score);

/// <summary>The detections of one image, in file order (the python protocol depends on it).</summary>
public sealed class ImagePredictions
{
    public required string Event { get; init; }
    public required string ImageKey { get; init; }
    public required PredBox[] Boxes { get; init; }
}

/// <summary>A set of predictions keyed by image; built from a folder or from in-memory detections.</summary>
public sealed class PredictionSet
{
    private readonly Dictionary<string, ImagePredictions> _byKey = new(StringComparer.Ordinal);

    public string Source { get; init; } = "";

    public IReadOnlyCollection<ImagePredictions> Images => _byKey.Values;

    /// <summary>Adds an image; a second entry for the same key replaces the first (the python port's dict semantics).</summary>
    public void Set(ImagePredictions image) => _byKey[image.ImageKey] = image;

    public bool TryGet(string imageKey, out ImagePredictions predictions) => _byKey.TryGetValue(imageKey, out predictions!);
}

/// <summary>
/// The single conversion from a float32 detection box to what a prediction file holds. The
/// writer prints these strings and the in-memory path parses the same strings, so evaluating a
/// written folder and evaluating in memory give bit-identical AP.
/// </summary>
internal static class PredictionFormat
{
    /// <summary>Shortest round-trip text of a float32 (what the prediction files contain).</summary>
    public static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The line <c>x y w h score</c> for a box given by corners.</summary>
    public static string FormatLine(float x1, float y1, float x2, float y2, float score) =>
        $"{Format(x1)} {Format(y1)} {Format(x2 - x1)} {Format(y2 - y1)} {Format(score)}";

    /// <summary>The float64 values an evaluator reads back from <see cref="FormatLine"/>.</summary>
    public static PredBox ToPredBox(float x1, float y1, float x2, float y2, float score) => new(
        Reparse(x1), Reparse(y1), Reparse(x2 - x1), Reparse(y2 - y1), Reparse(score));

    private static double Reparse(float value) => double.Parse(Format(value), NumberStyles.Float, CultureInfo.InvariantCulture);
}
