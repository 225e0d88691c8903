using EvalHarness.IO;
using SixLabors.ImageSharp;

namespace EvalHarness.Datasets;

/// <summary>
/// The WIDER FACE images a run processes: the official ground truth (the .mat files, with the
/// easy/medium/hard lists) restricted to the images present under the root, in official order.
/// A partial copy (like the 5-event sample) is marked as a subset.
/// </summary>
public static class WiderImageList
{
    public static (IReadOnlyList<ImageRef> Images, GroundTruth GroundTruth) Load(string root, string split = "val", IReadOnlyCollection<string>? events = null, int? limit = null)
    {
        if (!string.Equals(split, "val", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"split '{split}': evaluation ground truth exists for val only (the official eval_tools ship wider_face_val.mat)");
        }
        if (!Directory.Exists(root)) throw new UsageException($"WIDER FACE root not found: {root} (fetch it with scripts/get-widerface.sh)");
        var full = WiderGroundTruthLoader.Load(root);
        var local = WiderGroundTruthLoader.RestrictToLocalImages(full, root);
        var imagesDir = Path.Combine(root, "WIDER_val", "images");
        if (events is { Count: > 0 }) RequireKnownEvents(events, full, local, imagesDir);
        var images = new List<ImageRef>();
        var gt = new List<GroundTruthImage>();
        foreach (var image in local.Images)
        {
            if (events is { Count: > 0 } && !events.Contains(image.Event)) continue;
            if (limit is { } max && images.Count >= max) break;
            var path = Path.Combine(imagesDir, image.Event, image.ImageKey + ".jpg");
            var (width, height) = Identify(path);
            images.Add(new ImageRef(image.Event, image.ImageKey, path, width, height));
            gt.Add(image);
        }
        if (images.Count == 0) throw new UsageException($"no WIDER FACE val images found under {imagesDir}");
        // Stated now, before the detector runs over every image only to find nothing to evaluate.
        if (images.TrueForAll(i => i.Width == 0)) throw new UsageException($"no usable images: none of the {images.Count} images under {imagesDir} can be read as an image (first: {images[0].Path})");
        var subset = gt.Count < full.Images.Count;
        return (images, new GroundTruth { Images = gt, Source = full.Source, IsSubset = subset });
    }

    private static void RequireKnownEvents(IReadOnlyCollection<string> events, GroundTruth full, GroundTruth local, string imagesDir)
    {
        foreach (var ev in events)
        {
            if (!full.Images.Any(i => i.Event == ev))
            {
                throw new UsageException($"unknown event '{ev}': not in the WIDER FACE val ground truth (events look like '{full.Images[0].Event}')");
            }
            if (!local.Images.Any(i => i.Event == ev)) throw new UsageException($"event '{ev}' has no images under {imagesDir}");
        }
    }

    // A file that is not a readable image still gets listed (0 × 0): the run reports and skips it
    // when it is loaded, instead of failing the whole listing.
    private static (int Width, int Height) Identify(string path)
    {
        try
        {
            var info = Image.Identify(path);
            return info is null ? (0, 0) : (info.Width, info.Height);
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or IOException)
        {
            return (0, 0);
        }
    }
}
