using System.Security.Cryptography;
using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>One line of a verification report: what was checked, what was found, whether it is as expected.</summary>
public sealed record VerifyCheck(string Name, string Found, bool Ok, string? Expected = null);

/// <summary>The result of <c>dataset verify</c>; <see cref="Ok"/> is false when any check failed.</summary>
public sealed class DatasetReport
{
    public required string Root { get; init; }
    public required IReadOnlyList<VerifyCheck> Checks { get; init; }
    public IReadOnlyList<string> Details { get; init; } = [];
    public bool Ok => Checks.All(c => c.Ok);
}

/// <summary>
/// Checks a local WIDER FACE folder: the evaluation ground truth (.mat) and the text annotations
/// (counts against the official ones, box-by-box agreement), SHA256SUMS when present, and which
/// annotated images exist locally. Missing images are reported, not failed: a local copy is
/// often a sample.
/// </summary>
public static class DatasetVerifier
{
    public const int OfficialValImages = 3226;
    public const int OfficialValFaces = 39708;
    public const int OfficialEvents = 61;
    public static readonly int[] OfficialCounted = [7211, 13319, 31958];

    public static DatasetReport Verify(string root)
    {
        if (!Directory.Exists(root)) throw new UsageException($"dataset root not found: {root}");
        var checks = new List<VerifyCheck>();
        var details = new List<string>();

        GroundTruth? gt = null;
        try
        {
            gt = WiderGroundTruthLoader.Load(root);
        }
        catch (UsageException ex)
        {
            checks.Add(new("evaluation ground truth (.mat)", ex.Message, false));
        }
        if (gt is not null)
        {
            var faces = gt.Images.Sum(i => i.Boxes.Length);
            var events = gt.Images.Select(i => i.Event).Distinct().Count();
            checks.Add(new("val images (.mat)", gt.Images.Count.ToString(), gt.Images.Count == OfficialValImages, OfficialValImages.ToString()));
            checks.Add(new("val faces (.mat)", faces.ToString(), faces == OfficialValFaces, OfficialValFaces.ToString()));
            checks.Add(new("val events (.mat)", events.ToString(), events == OfficialEvents, OfficialEvents.ToString()));
            foreach (var setting in SettingExtensions.All)
            {
                var counted = gt.Images.Sum(i => i.CountedFaces(setting));
                checks.Add(new($"counted faces {setting.Id()}", counted.ToString(), counted == OfficialCounted[(int)setting], OfficialCounted[(int)setting].ToString()));
            }
        }

        var split = Path.Combine(root, "wider_face_split");
        var valText = Path.Combine(split, "wider_face_val_bbx_gt.txt");
        if (File.Exists(valText))
        {
            var annotations = WiderAnnotationParser.ParseFile(valText);
            var lines = annotations.Sum(a => a.BoxLineCount);
            checks.Add(new("val images (txt)", annotations.Count.ToString(), annotations.Count == OfficialValImages, OfficialValImages.ToString()));
            checks.Add(new("val box lines (txt)", lines.ToString(), lines == OfficialValFaces, OfficialValFaces.ToString()));
            if (gt is not null)
            {
                var differences = AnnotationCrossCheck.Compare(gt, annotations);
                var onlyKnown = differences.Count == 0 || (differences.Count == 1 && IsKnownDifference(differences[0]));
                checks.Add(new(".mat vs txt boxes", differences.Count == 0 ? "identical" : $"{differences.Count} difference(s)", onlyKnown, "1 known (39_Ice_Skating_iceskiing_39_583 w: txt 0, mat -2)"));
                details.AddRange(differences.Take(20).Select(d => $"difference: {d}"));
            }
            checks.Add(ImagesPresent("val images present", Path.Combine(root, "WIDER_val", "images"), annotations));
        }
        else
        {
            checks.Add(new("val annotations (txt)", $"not found: {valText}", false));
        }

        var trainText = Path.Combine(split, "wider_face_train_bbx_gt.txt");
        if (File.Exists(trainText))
        {
            var train = WiderAnnotationParser.ParseFile(trainText);
            checks.Add(new("train images (txt)", train.Count.ToString(), train.Count > 0));
            checks.Add(ImagesPresent("train images present", Path.Combine(root, "WIDER_train", "images"), train));
        }

        var sums = Path.Combine(root, "SHA256SUMS");
        if (File.Exists(sums)) checks.Add(CheckSums(root, sums, details));
        else details.Add("no SHA256SUMS file: checksums not verified");

        return new DatasetReport { Root = root, Checks = checks, Details = details };
    }

    public static bool IsKnownDifference(AnnotationDifference d) =>
        d is { ImageKey: "39_Ice_Skating_iceskiing_39_583", What: "w", TextValue: "0", MatValue: "-2" };

    private static VerifyCheck ImagesPresent(string name, string imagesDir, IReadOnlyList<AnnotatedImage> annotations)
    {
        var present = 0;
        var events = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in annotations)
        {
            if (File.Exists(Path.Combine(imagesDir, image.Event, image.ImageKey + ".jpg")))
            {
                present++;
                events.Add(image.Event);
            }
        }
        var missing = annotations.Count - present;
        var found = $"{present} present in {events.Count} event(s), {missing} missing" + (missing > 0 ? " (a subset: evaluation on local images is labelled as such)" : "");
        return new VerifyCheck(name, found, true);
    }

    /// <summary>Verifies every <c>hash  path</c> line; a listed file that is absent or differs fails the check.</summary>
    private static VerifyCheck CheckSums(string root, string sumsPath, List<string> details)
    {
        int ok = 0, bad = 0, missing = 0;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(sumsPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var split = line.IndexOf(' ');
            if (split != 64) throw new DataFormatException(sumsPath, lineNumber, "expected '<64 hex digits>  <path>'");
            var expected = line[..64];
            var relative = line[(split + 1)..].TrimStart(' ', '*');
            var path = Path.Combine(root, relative);
            if (!File.Exists(path))
            {
                missing++;
                continue;
            }
            using var stream = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                ok++;
            }
            else
            {
                bad++;
                if (bad <= 20) details.Add($"checksum mismatch: {relative}");
            }
        }
        return new VerifyCheck("SHA256SUMS", $"{ok} ok, {bad} mismatched, {missing} missing", bad == 0 && missing == 0);
    }
}
