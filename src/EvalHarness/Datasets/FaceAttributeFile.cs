using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>
/// The per-face attributes (blur, expression, illumination, occlusion, pose) that only the text
/// annotations carry: <c>wider_face_val_bbx_gt.txt</c>, read beside the .mat ground truth and
/// cross-checked against it box by box, so attribute i belongs to .mat box i.
/// </summary>
public static class FaceAttributeFile
{
    public const string FileName = "wider_face_val_bbx_gt.txt";

    /// <summary>
    /// Where the text annotations of a ground-truth folder live: beside the .mat files, in the WIDER
    /// root's <c>wider_face_split/</c> (the ground truth being <c>eval_tools/ground_truth</c> below it),
    /// or under <paramref name="widerRoot"/>; null when none exists.
    /// </summary>
    public static string? Find(string groundTruthDir, string? widerRoot)
    {
        List<string> candidates =
        [
            Path.Combine(groundTruthDir, FileName),
            Path.Combine(groundTruthDir, "..", "..", "wider_face_split", FileName),
            Path.Combine(groundTruthDir, "..", "wider_face_split", FileName),
        ];
        if (widerRoot is not null) candidates.Add(Path.Combine(widerRoot, "wider_face_split", FileName));
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>
    /// Reads <paramref name="path"/> and returns, per image of <paramref name="groundTruth"/>, its faces
    /// in .mat order. An image missing from the text or with another box count stops with an error
    /// (the attributes could not be aligned); a coordinate that differs (the one documented case:
    /// a width of 0 in the text, −2 in the .mat) is added to <paramref name="warnings"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, FaceAnnotation[]> Load(string path, GroundTruth groundTruth, ICollection<string> warnings)
    {
        var text = WiderAnnotationParser.ParseFile(path);
        foreach (var difference in AnnotationCrossCheck.Compare(groundTruth, text))
        {
            // A subset ground truth leaves the text's other images unmatched; that is expected.
            if (difference.What == "image" && difference.MatValue == "missing") continue;
            if (difference.BoxIndex < 0)
            {
                throw new DataFormatException(path, 0,
                    $"does not match the .mat ground truth ({difference}); the attributes cannot be aligned with its boxes");
            }
            warnings.Add($"{Path.GetFileName(path)} and the .mat differ at {difference}; the .mat box is evaluated");
        }
        var byKey = new Dictionary<string, FaceAnnotation[]>(StringComparer.Ordinal);
        foreach (var image in text) byKey[image.ImageKey] = image.Faces;
        return byKey;
    }
}
