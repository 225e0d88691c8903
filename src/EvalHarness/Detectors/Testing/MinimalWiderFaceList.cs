using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using SixLabors.ImageSharp;

namespace EvalHarness.Detectors.Testing;

/// <summary>
/// A deliberately small stand-in for the real WIDER FACE loader (the Datasets/ parser with the
/// evaluation .mat files): lists the images present under <c>WIDER_{split}/images/&lt;event&gt;/</c>
/// and reads their boxes from <c>wider_face_split/wider_face_{split}_bbx_gt.txt</c>. Every box with
/// <c>invalid = 0</c> and positive size counts in all three settings (the real easy/medium/hard
/// lists come from the .mat files). Used by the detect verb and the detector tests until the lead
/// swaps in the real loader.
/// </summary>
public static class MinimalWiderFaceList
{
    public static (IReadOnlyList<ImageRef> Images, GroundTruth GroundTruth) Load(string root, string split = "val", IReadOnlyCollection<string>? events = null, int? limit = null)
    {
        var imagesDir = Path.Combine(root, $"WIDER_{split}", "images");
        var gtPath = Path.Combine(root, "wider_face_split", $"wider_face_{split}_bbx_gt.txt");
        if (!Directory.Exists(imagesDir)) throw new UsageException($"WIDER FACE images not found: {imagesDir}");
        if (!File.Exists(gtPath)) throw new UsageException($"WIDER FACE annotations not found: {gtPath}");
        var boxes = ReadBoxes(gtPath);
        var images = new List<ImageRef>();
        var gt = new List<GroundTruthImage>();
        var eventDirs = Directory.GetDirectories(imagesDir);
        Array.Sort(eventDirs, StringComparer.Ordinal);
        foreach (var dir in eventDirs)
        {
            var ev = Path.GetFileName(dir);
            if (events is { Count: > 0 } && !events.Contains(ev)) continue;
            var files = Directory.GetFiles(dir, "*.jpg");
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (limit is { } max && images.Count >= max) break;
                var key = Path.GetFileNameWithoutExtension(file);
                if (!boxes.TryGetValue($"{ev}/{key}", out var imageBoxes)) continue;
                var info = Image.Identify(file) ?? throw new DataFormatException(file, 0, "not an image");
                images.Add(new ImageRef(ev, key, file, info.Width, info.Height));
                var counted = new SettingMask[imageBoxes.Count];
                for (var i = 0; i < counted.Length; i++) counted[i] = imageBoxes[i].Valid ? SettingMask.All : SettingMask.None;
                gt.Add(new GroundTruthImage { Event = ev, ImageKey = key, Boxes = imageBoxes.Select(b => b.Box).ToArray(), Counted = counted });
            }
        }
        return (images, new GroundTruth { Images = gt, Source = gtPath, IsSubset = true });
    }

    private static Dictionary<string, List<(GtBox Box, bool Valid)>> ReadBoxes(string path)
    {
        var result = new Dictionary<string, List<(GtBox, bool)>>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(path);
        var i = 0;
        while (i < lines.Length)
        {
            var name = lines[i++].Trim();
            if (name.Length == 0) continue;
            if (i >= lines.Length || !int.TryParse(lines[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw new DataFormatException(path, i + 1, "expected the number of faces");
            i++;
            var list = new List<(GtBox, bool)>(count);
            // an image with no faces still has one all-zero line
            var rows = Math.Max(count, 1);
            for (var r = 0; r < rows; r++, i++)
            {
                if (i >= lines.Length) throw new DataFormatException(path, i + 1, "file ends inside a box list");
                if (r >= count) continue;
                var f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 8) throw new DataFormatException(path, i + 1, "expected x y w h blur expression illumination invalid ...");
                var v = new double[8];
                for (var k = 0; k < 8; k++)
                {
                    if (!double.TryParse(f[k], NumberStyles.Float, CultureInfo.InvariantCulture, out v[k])) throw new DataFormatException(path, i + 1, $"'{f[k]}' is not a number");
                }
                list.Add((new GtBox(v[0], v[1], v[2], v[3]), v[7] == 0 && v[2] > 0 && v[3] > 0));
            }
            var key = name.EndsWith(".jpg", StringComparison.Ordinal) ? name[..^4] : name;
            result[key] = list;
        }
        return result;
    }
}
