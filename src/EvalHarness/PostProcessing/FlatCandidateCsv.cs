using System.Globalization;
using System.Text;
using EvalHarness.IO;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The <c>postprocess</c> verb's file format: CSV rows <c>x1,y1,x2,y2,score</c> with an optional
/// header line of exactly those names; row order is the flat index; blank lines are ignored.
/// Output rows use the same columns with floats in shortest round-trip form.
/// </summary>
public static class FlatCandidateCsv
{
    public const string Header = "x1,y1,x2,y2,score";

    /// <summary>Reads <paramref name="path"/> into a flat-list <see cref="CandidateMap"/>; a malformed row throws <see cref="DataFormatException"/> naming file and line.</summary>
    public static CandidateMap Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "file not found");
        var rows = new List<(float X1, float Y1, float X2, float Y2, float Score)>();
        var lineNumber = 0;
        var firstContent = true;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var isHeader = firstContent && IsHeader(line);
            firstContent = false;
            if (!isHeader) rows.Add(ParseRow(path, lineNumber, line));
        }
        var map = CandidateMap.FromFlatList(rows.Count);
        for (var i = 0; i < rows.Count; i++) map.Set(i, rows[i].Score, rows[i].X1, rows[i].Y1, rows[i].X2, rows[i].Y2);
        return map;
    }

    private static bool IsHeader(string line)
    {
        var fields = line.Split(',');
        if (fields.Length != 5) return false;
        string[] names = ["x1", "y1", "x2", "y2", "score"];
        for (var i = 0; i < 5; i++)
        {
            if (!string.Equals(fields[i].Trim(), names[i], StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    private static (float, float, float, float, float) ParseRow(string path, int lineNumber, string line)
    {
        var fields = line.Split(',');
        if (fields.Length != 5) throw new DataFormatException(path, lineNumber, $"expected 5 fields ({Header}), found {fields.Length}");
        Span<float> v = stackalloc float[5];
        string[] names = ["x1", "y1", "x2", "y2", "score"];
        for (var i = 0; i < 5; i++)
        {
            if (!float.TryParse(fields[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !float.IsFinite(v[i]))
            {
                throw new DataFormatException(path, lineNumber, $"{names[i]} '{fields[i].Trim()}' is not a finite number");
            }
        }
        return (v[0], v[1], v[2], v[3], v[4]);
    }

    /// <summary>Writes <paramref name="detections"/> in output order (atomically).</summary>
    public static void Write(string path, DetectionList detections)
    {
        var sb = new StringBuilder(Header.Length + 1 + detections.Count * 48).Append(Header).Append('\n');
        for (var i = 0; i < detections.Count; i++)
        {
            sb.Append(F(detections.X1[i])).Append(',').Append(F(detections.Y1[i])).Append(',')
              .Append(F(detections.X2[i])).Append(',').Append(F(detections.Y2[i])).Append(',')
              .Append(F(detections.Score[i])).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}
