using EvalHarness.Datasets;

namespace EvalHarness.Metrics;

/// <summary>
/// AP on one subset of the faces: <paramref name="Kind"/> is <c>height</c>, <c>blur</c>,
/// <c>occlusion</c>, <c>pose</c>, <c>illumination</c> or <c>expression</c>; <paramref name="Ap"/>
/// is null when the bucket holds no counted face (no recall to speak of).
/// </summary>
public sealed record BreakdownBucket(string Kind, string Bucket, int Faces, double? Ap);

/// <summary>One way of splitting the faces into buckets: the bucket labels and, per face, its bucket (−1: none).</summary>
public sealed class BreakdownKind(string kind, IReadOnlyList<string> buckets, Func<GroundTruthImage, int, int> bucketOf)
{
    public string Kind { get; } = kind;

    public IReadOnlyList<string> Buckets { get; } = buckets;

    /// <summary>The bucket index of box <c>b</c> of an image, or −1 when the face belongs to no bucket.</summary>
    public int BucketOf(GroundTruthImage image, int box) => bucketOf(image, box);

    /// <summary>Lower bounds of the face-height buckets in pixels; bucket i is <c>[bound_i, bound_i+1)</c>, the last open-ended.</summary>
    public static readonly double[] HeightBounds = [0, 16, 32, 64, 128];

    /// <summary>Face height (the box's h) in the buckets <c>[0,16)</c> … <c>[128,inf)</c>; a box with h &lt; 0 falls in none.</summary>
    public static BreakdownKind Height { get; } = new("height", HeightLabels(), static (image, b) => HeightBucket(image.Boxes[b].H));

    /// <summary>
    /// The five annotation attributes of <c>wider_face_val_bbx_gt.txt</c> as kinds, with WIDER's value
    /// names as bucket labels; <paramref name="annotations"/> maps an image key to its faces in .mat box order.
    /// </summary>
    public static IReadOnlyList<BreakdownKind> Attributes(IReadOnlyDictionary<string, FaceAnnotation[]> annotations)
    {
        BreakdownKind Attribute(string kind, string[] labels, Func<FaceAnnotation, int> value) =>
            new(kind, labels, (image, b) =>
            {
                if (!annotations.TryGetValue(image.ImageKey, out var faces) || b >= faces.Length) return -1;
                var v = value(faces[b]);
                return v >= 0 && v < labels.Length ? v : -1;
            });
        return
        [
            Attribute("blur", ["clear", "normal", "heavy"], static f => f.Blur),
            Attribute("occlusion", ["none", "partial", "heavy"], static f => f.Occlusion),
            Attribute("pose", ["typical", "atypical"], static f => f.Pose),
            Attribute("illumination", ["normal", "extreme"], static f => f.Illumination),
            Attribute("expression", ["typical", "exaggerate"], static f => f.Expression),
        ];
    }

    internal static int HeightBucket(double h)
    {
        if (!(h >= HeightBounds[0])) return -1;
        var bucket = 0;
        while (bucket + 1 < HeightBounds.Length && h >= HeightBounds[bucket + 1]) bucket++;
        return bucket;
    }

    private static string[] HeightLabels()
    {
        var labels = new string[HeightBounds.Length];
        for (var i = 0; i < HeightBounds.Length; i++)
        {
            labels[i] = i + 1 < HeightBounds.Length
                ? FormattableString.Invariant($"[{HeightBounds[i]},{HeightBounds[i + 1]})")
                : FormattableString.Invariant($"[{HeightBounds[i]},inf)");
        }
        return labels;
    }
}

/// <summary>
/// AP by face subset (height bucket, annotation attribute), computed with the chosen protocol
/// exactly as the easy/medium/hard settings are: a face counts iff the hard setting counts it
/// (hard is the superset of the three lists) and it is in the bucket; every other face is
/// ignored, so a detection whose best match is an ignored face is neither a true nor a false
/// positive. Detections, their order and the score normalisation are those of the full
/// evaluation. With every hard face in one bucket, that bucket's AP is the hard AP bit for bit.
/// </summary>
public static class SubsetBreakdown
{
    /// <summary>Evaluates every bucket of every kind; buckets are packed three at a time into the evaluator's three setting slots.</summary>
    public static IReadOnlyList<BreakdownBucket> Compute(GroundTruth groundTruth, PredictionSet predictions, EvalOptions options,
        IReadOnlyList<BreakdownKind> kinds, string? predictionDir = null)
    {
        var slots = new List<(BreakdownKind Kind, int Bucket)>();
        foreach (var kind in kinds)
        {
            for (var b = 0; b < kind.Buckets.Count; b++) slots.Add((kind, b));
        }
        var results = new BreakdownBucket[slots.Count];
        var settings = SettingExtensions.All;
        for (var start = 0; start < slots.Count; start += settings.Length)
        {
            var batch = slots.GetRange(start, Math.Min(settings.Length, slots.Count - start));
            var masked = Remask(groundTruth, batch);
            var result = WiderFaceEvaluator.EvaluateWith(masked, predictions, options, predictionDir);
            for (var s = 0; s < batch.Count; s++)
            {
                var setting = result[settings[s]];
                var (kind, bucket) = batch[s];
                results[start + s] = new BreakdownBucket(kind.Kind, kind.Buckets[bucket], setting.Faces, setting.Faces == 0 ? null : setting.Ap);
            }
        }
        return results;
    }

    /// <summary>
    /// The same images and boxes with the setting bits replaced: slot s (easy, medium, hard) counts
    /// a face iff the original hard list counts it and it is in the slot's bucket.
    /// </summary>
    private static GroundTruth Remask(GroundTruth groundTruth, List<(BreakdownKind Kind, int Bucket)> batch)
    {
        var images = new GroundTruthImage[groundTruth.Images.Count];
        for (var i = 0; i < images.Length; i++)
        {
            var image = groundTruth.Images[i];
            var counted = new SettingMask[image.Counted.Length];
            for (var b = 0; b < counted.Length; b++)
            {
                if ((image.Counted[b] & SettingMask.Hard) == 0) continue;
                for (var s = 0; s < batch.Count; s++)
                {
                    if (batch[s].Kind.BucketOf(image, b) == batch[s].Bucket) counted[b] |= ((Setting)s).ToMask();
                }
            }
            images[i] = new GroundTruthImage { Event = image.Event, ImageKey = image.ImageKey, Boxes = image.Boxes, Counted = counted };
        }
        return new GroundTruth { Images = images, Source = groundTruth.Source, IsSubset = groundTruth.IsSubset };
    }
}
