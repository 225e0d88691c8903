using System.Text;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Datasets;

/// <summary>
/// Writes detections in the WIDER FACE submission format, <c>&lt;event&gt;/&lt;key&gt;.txt</c>: the image
/// key, the count, then one <c>x y w h score</c> line per detection in the given order, numbers
/// from <see cref="PredictionFormat.FormatLine"/>. Each file is written atomically. The same
/// detections evaluated in memory through <see cref="PredictionFormat.ToPredBox"/> give the same AP.
/// </summary>
internal static class PredictionFolderWriter
{
    /// <summary>The path of an image's prediction file under <paramref name="root"/>.</summary>
    public static string PathFor(string root, string eventName, string imageKey) => Path.Combine(root, eventName, imageKey + ".txt");

    public static string WriteImage(string root, string eventName, string imageKey, DetectionList detections) =>
        WriteImage(root, eventName, imageKey, detections.X1, detections.Y1, detections.X2, detections.Y2, detections.Score);

    /// <summary>Writes one image's detections (corners and scores, float32, same length).</summary>
    public static string WriteImage(string root, string eventName, string imageKey,
        ReadOnlySpan<float> x1, ReadOnlySpan<float> y1, ReadOnlySpan<float> x2, ReadOnlySpan<float> y2, ReadOnlySpan<float> score)
    {
        ValidateName(eventName, "event");
        ValidateName(imageKey, "image key");
        var count = score.Length;
        if (x1.Length != count || y1.Length != count || x2.Length != count || y2.Length != count)
        {
            throw new ArgumentException("corner and score spans differ in length");
        }
        var text = new StringBuilder(32 + count * 40);
        text.Append(imageKey).Append('\n').Append(count).Append('\n');
        for (var i = 0; i < count; i++)
        {
            text.Append(PredictionFormat.FormatLine(x1[i], y1[i], x2[i], y2[i], score[i])).Append('\n');
        }
        var path = PathFor(root, eventName, imageKey);
        AtomicFile.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>The in-memory twin of <see cref="WriteImage(string,string,string,DetectionList)"/>: the values the evaluator would read back.</summary>
    public static ImagePredictions ToImagePredictions(string eventName, string imageKey, DetectionList detections)
    {
        var boxes = new PredBox[detections.Count];
        var x1 = detections.X1;
        var y1 = detections.Y1;
        var x2 = detections.X2;
        var y2 = detections.Y2;
        var score = detections.Score;
        for (var i = 0; i < boxes.Length; i++) boxes[i] = PredictionFormat.ToPredBox(x1[i], y1[i], x2[i], y2[i], score[i]);
        return new ImagePredictions { Event = eventName, ImageKey = imageKey, Boxes = boxes };
    }

    private static void ValidateName(string name, string what)
    {
        // A key with a separator or line break would land elsewhere or change what line 1 says.
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(['/', '\\', '\r', '\n']) >= 0 || name is "." or "..")
        {
            throw new ArgumentException($"invalid {what} '{name}' for a prediction file");
        }
    }
}
