using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.PostProcessing;

/// <summary>Small hand-made candidate maps for the hand-worked tests.</summary>
public static class TestMaps
{
    /// <summary>A flat list: row i is flat index i.</summary>
    public static CandidateMap Flat(params (float X1, float Y1, float X2, float Y2, float Score)[] rows)
    {
        var map = CandidateMap.FromFlatList(rows.Length);
        for (var i = 0; i < rows.Length; i++) map.Set(i, rows[i].Score, rows[i].X1, rows[i].Y1, rows[i].X2, rows[i].Y2);
        return map;
    }

    /// <summary>
    /// One level of <c>h × w</c> cells with one anchor, scores given row-major; every cell gets its
    /// own disjoint box (x·10, y·10, x·10+8, y·10+8) shifted by <paramref name="shift"/>, so an
    /// NMS stage never suppresses unless a test says so.
    /// </summary>
    public static CandidateMap Grid(int h, int w, float[] scores, float shift = 0f)
    {
        if (scores.Length != h * w) throw new ArgumentException("scores must be h*w", nameof(scores));
        var map = new CandidateMap([(h, w, 1, 1f)]);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                map.Set(i, scores[i], shift + x * 10, shift + y * 10, shift + x * 10 + 8, shift + y * 10 + 8);
            }
        }
        return map;
    }
}
