namespace EvalHarness.Datasets;

/// <summary>The three WIDER FACE evaluation settings.</summary>
public enum Setting
{
    Easy = 0,
    Medium = 1,
    Hard = 2,
}

/// <summary>Which settings count a ground-truth box (the <c>gt_list</c> of each setting's .mat file).</summary>
[Flags]
public enum SettingMask : byte
{
    None = 0,
    Easy = 1,
    Medium = 2,
    Hard = 4,
    All = Easy | Medium | Hard,
}

public static class SettingExtensions
{
    public static readonly Setting[] All = [Setting.Easy, Setting.Medium, Setting.Hard];

    public static SettingMask ToMask(this Setting setting) => (SettingMask)(1 << (int)setting);

    public static string Id(this Setting setting) => setting switch
    {
        Setting.Easy => "easy",
        Setting.Medium => "medium",
        Setting.Hard => "hard",
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };
}

/// <summary>A ground-truth face box in WIDER's integer pixel convention (x, y, w, h), kept as read (w or h may be ≤ 0).</summary>
public readonly record struct GtBox(double X, double Y, double W, double H);

/// <summary>One evaluated image: its boxes and, per box, the settings that count it.</summary>
public sealed class GroundTruthImage
{
    public required string Event { get; init; }

    /// <summary>The file name without <c>.jpg</c> (the key prediction files are matched on).</summary>
    public required string ImageKey { get; init; }

    public required GtBox[] Boxes { get; init; }

    /// <summary>Same length as <see cref="Boxes"/>.</summary>
    public required SettingMask[] Counted { get; init; }

    public int CountedFaces(Setting setting)
    {
        var mask = setting.ToMask();
        var n = 0;
        foreach (var m in Counted)
        {
            if ((m & mask) != 0) n++;
        }
        return n;
    }
}

/// <summary>
/// The ground truth an evaluation runs over, in the order of the official file list. A subset
/// (some images missing locally) is marked so its AP is never presented as a full-set number.
/// </summary>
public sealed class GroundTruth
{
    public required IReadOnlyList<GroundTruthImage> Images { get; init; }

    /// <summary>Where it came from (a path or "synthetic(seed=…)").</summary>
    public required string Source { get; init; }

    public bool IsSubset { get; init; }

    public GroundTruth Subset(IEnumerable<string> imageKeys)
    {
        var wanted = new HashSet<string>(imageKeys, StringComparer.Ordinal);
        var images = new List<GroundTruthImage>();
        foreach (var image in Images)
        {
            if (wanted.Contains(image.ImageKey)) images.Add(image);
        }
        return new GroundTruth { Images = images, Source = Source, IsSubset = images.Count < Images.Count || IsSubset };
    }
}
