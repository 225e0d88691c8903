using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>
/// Builds <see cref="GroundTruth"/> from the official eval_tools files: <c>wider_face_val.mat</c>
/// (event_list, file_list, face_bbx_list) and <c>wider_{easy,medium,hard}_val.mat</c> (gt_list,
/// 1-based indices of the boxes that count in that setting). Images keep the official order,
/// which the evaluators' file-order semantics depend on.
/// </summary>
public static class WiderGroundTruthLoader
{
    public const string FaceFile = "wider_face_val.mat";

    private static readonly IReadOnlySet<string> FaceVariables = new HashSet<string>(["event_list", "file_list", "face_bbx_list"], StringComparer.Ordinal);
    private static readonly IReadOnlySet<string> SettingVariables = new HashSet<string>(["gt_list"], StringComparer.Ordinal);

    public static string SettingFile(Setting setting) => $"wider_{setting.Id()}_val.mat";

    /// <summary>
    /// The folder holding the four .mat files: <paramref name="path"/> itself, or below a WIDER
    /// root (<c>eval_tools/ground_truth</c>, <c>ground_truth</c>, <c>wider_face_split</c> is not
    /// enough because it lacks the setting files).
    /// </summary>
    public static string ResolveGroundTruthDir(string path)
    {
        string[] candidates =
        [
            path,
            Path.Combine(path, "eval_tools", "ground_truth"),
            Path.Combine(path, "ground_truth"),
            Path.Combine(path, "widerface_evaluate", "ground_truth"),
        ];
        foreach (var candidate in candidates)
        {
            if (HasAllFiles(candidate)) return candidate;
        }
        if (!Directory.Exists(path)) throw new UsageException($"ground-truth folder not found: {path}");
        throw new UsageException(
            $"no WIDER FACE evaluation ground truth in {path}: expected {FaceFile}, {SettingFile(Setting.Easy)}, " +
            $"{SettingFile(Setting.Medium)} and {SettingFile(Setting.Hard)} there or in eval_tools/ground_truth below it");
    }

    private static bool HasAllFiles(string dir) =>
        File.Exists(Path.Combine(dir, FaceFile)) && SettingExtensions.All.All(s => File.Exists(Path.Combine(dir, SettingFile(s))));

    /// <summary>Loads the full validation ground truth (3226 images for the official files).</summary>
    public static GroundTruth Load(string groundTruthDirOrWiderRoot) => Parse(ResolveGroundTruthDir(groundTruthDirOrWiderRoot));

    /// <summary>
    /// <see cref="Load"/> through the binary <see cref="GroundTruthCache"/> in <paramref name="cacheFolder"/>
    /// (null: <see cref="GroundTruthCache.DefaultFolder"/>). The cache is keyed by the SHA-256 of the four
    /// .mat files, so it gives exactly what parsing them gives; a damaged cache file is parsed over and rewritten.
    /// </summary>
    public static GroundTruth LoadCached(string groundTruthDirOrWiderRoot, string? cacheFolder = null)
    {
        var dir = ResolveGroundTruthDir(groundTruthDirOrWiderRoot);
        cacheFolder ??= GroundTruthCache.DefaultFolder();
        if (cacheFolder is null) return Parse(dir);
        string[] files = [Path.Combine(dir, FaceFile), .. SettingExtensions.All.Select(s => Path.Combine(dir, SettingFile(s)))];
        var cachePath = Path.Combine(cacheFolder, GroundTruthCache.FileName(dir));
        try
        {
            var stamps = GroundTruthCache.Stamps(files);
            var cached = GroundTruthCache.TryRead(cachePath, files, stamps, out var key, out var restamp);
            if (cached is not null)
            {
                if (restamp) GroundTruthCache.TryWrite(cachePath, new GroundTruthCache.Entry(key!, stamps, cached));
                return new GroundTruth { Images = cached, Source = dir, IsSubset = false };
            }
            var parsed = Parse(dir);
            GroundTruthCache.TryWrite(cachePath, new GroundTruthCache.Entry(key ?? GroundTruthCache.Key(files), stamps, parsed.Images));
            return parsed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Parse(dir); // the parser names the unreadable file
        }
    }

    private static GroundTruth Parse(string dir)
    {
        var facePath = Path.Combine(dir, FaceFile);
        var face = MatV5Reader.ReadFile(facePath, FaceVariables);
        var events = Cell(Variable(face, "event_list", facePath), facePath, "event_list");
        var files = Cell(Variable(face, "file_list", facePath), facePath, "file_list");
        var boxes = Cell(Variable(face, "face_bbx_list", facePath), facePath, "face_bbx_list");
        if (files.Length != events.Length || boxes.Length != events.Length)
        {
            throw new DataFormatException(facePath, 0, $"event_list has {events.Length} events but file_list {files.Length} and face_bbx_list {boxes.Length}");
        }

        var gtLists = new MatCellArray[3];
        var gtPaths = new string[3];
        foreach (var setting in SettingExtensions.All)
        {
            var path = Path.Combine(dir, SettingFile(setting));
            var list = Cell(Variable(MatV5Reader.ReadFile(path, SettingVariables), "gt_list", path), path, "gt_list");
            if (list.Length != events.Length) throw new DataFormatException(path, 0, $"gt_list has {list.Length} events, {FaceFile} has {events.Length}");
            gtLists[(int)setting] = list;
            gtPaths[(int)setting] = path;
        }

        var images = new List<GroundTruthImage>(3300);
        for (var e = 0; e < events.Length; e++)
        {
            var eventName = Text(events.Cells[e], facePath, $"event_list{{{e + 1}}}");
            var eventFiles = Cell(files.Cells[e], facePath, $"file_list{{{e + 1}}}");
            var eventBoxes = Cell(boxes.Cells[e], facePath, $"face_bbx_list{{{e + 1}}}");
            if (eventBoxes.Length != eventFiles.Length)
            {
                throw new DataFormatException(facePath, 0, $"event {eventName}: {eventFiles.Length} files but {eventBoxes.Length} box lists");
            }
            var eventGt = new MatCellArray[3];
            foreach (var setting in SettingExtensions.All)
            {
                eventGt[(int)setting] = Cell(gtLists[(int)setting].Cells[e], gtPaths[(int)setting], $"gt_list{{{e + 1}}}");
                if (eventGt[(int)setting].Length != eventFiles.Length)
                {
                    throw new DataFormatException(gtPaths[(int)setting], 0, $"event {eventName}: gt_list has {eventGt[(int)setting].Length} images, file_list {eventFiles.Length}");
                }
            }

            for (var i = 0; i < eventFiles.Length; i++)
            {
                var key = Text(eventFiles.Cells[i], facePath, $"file_list{{{e + 1}}}{{{i + 1}}}");
                var gtBoxes = Boxes(eventBoxes.Cells[i], facePath, $"face_bbx_list{{{e + 1}}}{{{i + 1}}} ({key})");
                var counted = new SettingMask[gtBoxes.Length];
                foreach (var setting in SettingExtensions.All)
                {
                    MarkCounted(counted, eventGt[(int)setting].Cells[i], setting, gtPaths[(int)setting], $"gt_list{{{e + 1}}}{{{i + 1}}} ({key})");
                }
                images.Add(new GroundTruthImage { Event = eventName, ImageKey = key, Boxes = gtBoxes, Counted = counted });
            }
        }
        return new GroundTruth { Images = images, Source = dir, IsSubset = false };
    }

    /// <summary>
    /// The subset of <paramref name="groundTruth"/> whose images exist under
    /// <c>WIDER_val/images/&lt;event&gt;/&lt;key&gt;.jpg</c> of <paramref name="widerRoot"/>; marked as a subset
    /// whenever any image is missing.
    /// </summary>
    public static GroundTruth RestrictToLocalImages(GroundTruth groundTruth, string widerRoot)
    {
        var imagesDir = Path.Combine(widerRoot, "WIDER_val", "images");
        var present = new List<string>();
        foreach (var image in groundTruth.Images)
        {
            if (File.Exists(Path.Combine(imagesDir, image.Event, image.ImageKey + ".jpg"))) present.Add(image.ImageKey);
        }
        var subset = groundTruth.Subset(present);
        return new GroundTruth
        {
            Images = subset.Images,
            Source = groundTruth.Source + (subset.IsSubset ? $" (subset: {subset.Images.Count} images under {imagesDir})" : ""),
            IsSubset = subset.IsSubset,
        };
    }

    /// <summary>
    /// The subset of <paramref name="groundTruth"/> that has a prediction file
    /// <c>&lt;event&gt;/&lt;key&gt;.txt</c> under <paramref name="predictionDir"/>, for evaluating a partial run.
    /// </summary>
    public static GroundTruth RestrictToPredictionFiles(GroundTruth groundTruth, string predictionDir)
    {
        var present = new List<string>();
        foreach (var image in groundTruth.Images)
        {
            if (File.Exists(Path.Combine(predictionDir, image.Event, image.ImageKey + ".txt"))) present.Add(image.ImageKey);
        }
        var subset = groundTruth.Subset(present);
        return new GroundTruth
        {
            Images = subset.Images,
            Source = groundTruth.Source + (subset.IsSubset ? $" (subset: {subset.Images.Count} images with files in {predictionDir})" : ""),
            IsSubset = subset.IsSubset,
        };
    }

    private static MatArray Variable(IReadOnlyDictionary<string, MatArray> file, string name, string path) =>
        file.TryGetValue(name, out var array)
            ? array
            : throw new DataFormatException(path, 0, $"variable '{name}' not found (variables: {string.Join(", ", file.Keys)})");

    private static MatCellArray Cell(MatArray array, string path, string what) =>
        array as MatCellArray ?? throw new DataFormatException(path, 0, $"{what}: expected a cell array, found {array.DescribeShape()}");

    private static string Text(MatArray array, string path, string what)
    {
        if (array is MatCellArray { Length: 1 } wrapped) array = wrapped.Cells[0];
        return array is MatCharArray chars
            ? chars.Chars
            : throw new DataFormatException(path, 0, $"{what}: expected a char array, found {array.DescribeShape()}");
    }

    private static GtBox[] Boxes(MatArray array, string path, string what)
    {
        if (array is not MatNumericArray numeric) throw new DataFormatException(path, 0, $"{what}: expected a numeric k x 4 array, found {array.DescribeShape()}");
        if (numeric.Length == 0) return [];
        if (numeric.Dimensions.Length != 2 || numeric.Dimensions[1] != 4)
        {
            throw new DataFormatException(path, 0, $"{what}: expected a k x 4 box array, found {numeric.DescribeShape()}");
        }
        var boxes = new GtBox[numeric.Rows];
        for (var r = 0; r < boxes.Length; r++) boxes[r] = new GtBox(numeric[r, 0], numeric[r, 1], numeric[r, 2], numeric[r, 3]);
        return boxes;
    }

    private static void MarkCounted(SettingMask[] counted, MatArray array, Setting setting, string path, string what)
    {
        if (array is not MatNumericArray numeric) throw new DataFormatException(path, 0, $"{what}: expected a numeric index list, found {array.DescribeShape()}");
        var mask = setting.ToMask();
        foreach (var value in numeric.Real)
        {
            // gt_list holds MATLAB's 1-based indices into the image's box list.
            if (value != Math.Floor(value) || value < 1 || value > counted.Length)
            {
                throw new DataFormatException(path, 0, $"{what}: index {value} is not a box index in 1..{counted.Length}");
            }
            var index = (int)value - 1;
            if ((counted[index] & mask) != 0) throw new DataFormatException(path, 0, $"{what}: box index {value} listed twice");
            counted[index] |= mask;
        }
    }
}
