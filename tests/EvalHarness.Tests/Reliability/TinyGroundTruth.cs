namespace EvalHarness.Tests.Reliability;

/// <summary>
/// A hand-made WIDER evaluation ground truth (the four .mat files) of one event with two images,
/// each with one face counted in every setting; a <c>damage</c> argument swaps in one bad variable.
/// </summary>
public static class TinyGroundTruth
{
    public const string Event = "0--Parade";
    public static readonly string[] Keys = ["img_a", "img_b"];

    public enum Damage { None, EventListNumeric, BoxesThreeColumns, IndexOutOfRange, FaceFileNotMat }

    public static string Write(string dir, Damage damage = Damage.None)
    {
        Directory.CreateDirectory(dir);
        var eventList = damage == Damage.EventListNumeric
            ? MatFiles.NumericMatrix("event_list", [1, 1], [7])
            : MatFiles.CellMatrix("event_list", MatFiles.CharMatrix("", Event));
        var fileList = MatFiles.CellMatrix("file_list", MatFiles.CellMatrix("", [.. Keys.Select(k => MatFiles.CharMatrix("", k))]));
        var box = damage == Damage.BoxesThreeColumns
            ? MatFiles.NumericMatrix("", [1, 3], [10, 10, 40])
            : MatFiles.NumericMatrix("", [1, 4], [10, 10, 40, 40]);
        var boxList = MatFiles.CellMatrix("face_bbx_list", MatFiles.CellMatrix("", box, MatFiles.NumericMatrix("", [1, 4], [100, 100, 30, 30])));
        var face = damage == Damage.FaceFileNotMat
            ? "this is not a MAT file, just text that happens to be long enough to hold a MAT header......................................................"u8.ToArray()
            : [.. MatFiles.Header(), .. eventList, .. fileList, .. boxList];
        File.WriteAllBytes(Path.Combine(dir, "wider_face_val.mat"), face);
        foreach (var setting in new[] { "easy", "medium", "hard" })
        {
            var index = damage == Damage.IndexOutOfRange && setting == "hard" ? 2.0 : 1.0;
            var gt = MatFiles.CellMatrix("gt_list", MatFiles.CellMatrix("", MatFiles.NumericMatrix("", [1, 1], [index]), MatFiles.NumericMatrix("", [1, 1], [1])));
            File.WriteAllBytes(Path.Combine(dir, $"wider_{setting}_val.mat"), [.. MatFiles.Header(), .. gt]);
        }
        return dir;
    }

    /// <summary>A prediction file in WIDER's format.</summary>
    public static void WritePrediction(string predictionDir, string ev, string key, params string[] boxLines)
    {
        Directory.CreateDirectory(Path.Combine(predictionDir, ev));
        File.WriteAllText(Path.Combine(predictionDir, ev, key + ".txt"), $"{key}.jpg\n{boxLines.Length}\n" + string.Concat(boxLines.Select(l => l + "\n")));
    }
}
