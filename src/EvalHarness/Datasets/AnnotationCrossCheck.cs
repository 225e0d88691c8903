namespace EvalHarness.Datasets;

/// <summary>One disagreement between the .mat ground truth and the text annotations.</summary>
public sealed record AnnotationDifference(string Event, string ImageKey, int BoxIndex, string What, string TextValue, string MatValue)
{
    public override string ToString() => $"{Event}/{ImageKey} box {BoxIndex + 1}: {What} txt={TextValue} mat={MatValue}";
}

/// <summary>
/// Compares the evaluation ground truth (.mat) with the text annotations image by image and box
/// by box. The official files differ in exactly one place: 39--Ice_Skating/39_Ice_Skating_iceskiing_39_583
/// has a box of width 0 in the text and −2 in the .mat.
/// </summary>
internal static class AnnotationCrossCheck
{
    public static IReadOnlyList<AnnotationDifference> Compare(GroundTruth mat, IReadOnlyList<AnnotatedImage> text)
    {
        var differences = new List<AnnotationDifference>();
        var byKey = new Dictionary<string, AnnotatedImage>(StringComparer.Ordinal);
        foreach (var image in text) byKey[image.ImageKey] = image;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in mat.Images)
        {
            seen.Add(image.ImageKey);
            if (!byKey.TryGetValue(image.ImageKey, out var annotated))
            {
                differences.Add(new(image.Event, image.ImageKey, -1, "image", "missing", "present"));
                continue;
            }
            if (annotated.Event != image.Event) differences.Add(new(image.Event, image.ImageKey, -1, "event", annotated.Event, image.Event));
            // A no-face record's zero line is the all-zero box the .mat stores for it.
            var textBoxes = annotated.IsNoFaceRecord ? [new GtBox(0, 0, 0, 0)] : Array.ConvertAll(annotated.Faces, f => f.ToGtBox());
            if (textBoxes.Length != image.Boxes.Length)
            {
                differences.Add(new(image.Event, image.ImageKey, -1, "box count", textBoxes.Length.ToString(), image.Boxes.Length.ToString()));
                continue;
            }
            for (var b = 0; b < textBoxes.Length; b++)
            {
                Check(differences, image, b, "x", textBoxes[b].X, image.Boxes[b].X);
                Check(differences, image, b, "y", textBoxes[b].Y, image.Boxes[b].Y);
                Check(differences, image, b, "w", textBoxes[b].W, image.Boxes[b].W);
                Check(differences, image, b, "h", textBoxes[b].H, image.Boxes[b].H);
            }
        }
        foreach (var annotated in text)
        {
            if (!seen.Contains(annotated.ImageKey)) differences.Add(new(annotated.Event, annotated.ImageKey, -1, "image", "present", "missing"));
        }
        return differences;
    }

    private static void Check(List<AnnotationDifference> differences, GroundTruthImage image, int box, string what, double text, double mat)
    {
        if (text != mat) differences.Add(new(image.Event, image.ImageKey, box, what, text.ToString("R"), mat.ToString("R")));
    }
}
