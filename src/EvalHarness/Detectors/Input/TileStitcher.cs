using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.Input;

/// <summary>
/// Writes one decoded network input (a tile, or the whole letterboxed image) into the
/// whole-image candidate map. Tile cell (y, x) goes to global cell (CellY + y, CellX + x); cells
/// outside the global grid are dropped. Where tiles overlap, each global (cell, anchor) keeps the
/// candidate with the higher score and an equal score keeps the earlier tile, so tiles must be
/// stitched in order. Coordinates map as <c>x = (x_in + OffsetX) / ScaleX</c>.
/// </summary>
internal static class TileStitcher
{
    /// <summary>Marks every candidate of <paramref name="map"/> as not yet covered by any tile.</summary>
    public static void Clear(CandidateMap map) => map.ScoreSpan.Fill(float.NegativeInfinity);

    /// <summary>Stitches level <paramref name="tileLevel"/> of <paramref name="tile"/> into level <paramref name="globalLevel"/> of <paramref name="global"/>.</summary>
    public static void Stitch(
        CandidateMap tile, int tileLevel, CandidateMap global, int globalLevel,
        int cellX, int cellY, double offsetX, double offsetY, double scaleX, double scaleY)
    {
        var src = tile.Levels[tileLevel];
        var dst = global.Levels[globalLevel];
        if (src.Anchors != dst.Anchors) throw new ArgumentException($"anchor count differs: tile {src.Anchors}, global {dst.Anchors}");
        var keypoints = Math.Min(tile.KeypointCount, global.KeypointCount);
        var y0 = Math.Max(0, -cellY);
        var y1 = Math.Min(src.Height, dst.Height - cellY);
        var x0 = Math.Max(0, -cellX);
        var x1 = Math.Min(src.Width, dst.Width - cellX);
        var invX = 1.0 / scaleX;
        var invY = 1.0 / scaleY;
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                for (var a = 0; a < src.Anchors; a++)
                {
                    var s = src.FlatIndex(y, x, a);
                    var d = dst.FlatIndex(cellY + y, cellX + x, a);
                    var score = tile.Scores[s];
                    // strict: an equal score keeps the earlier tile
                    if (!(score > global.Scores[d])) continue;
                    global.Set(
                        d, score,
                        (float)((tile.X1[s] + offsetX) * invX), (float)((tile.Y1[s] + offsetY) * invY),
                        (float)((tile.X2[s] + offsetX) * invX), (float)((tile.Y2[s] + offsetY) * invY));
                    if (keypoints == 0) continue;
                    var ks = s * tile.KeypointCount * 2;
                    var kd = d * global.KeypointCount * 2;
                    for (var k = 0; k < 2 * keypoints; k += 2)
                    {
                        global.Keypoints[kd + k] = (float)((tile.Keypoints[ks + k] + offsetX) * invX);
                        global.Keypoints[kd + k + 1] = (float)((tile.Keypoints[ks + k + 1] + offsetY) * invY);
                    }
                }
            }
        }
    }

    /// <summary>The first candidate no tile covered, or −1 (a layout bug if not −1).</summary>
    public static int FirstUncovered(CandidateMap map)
    {
        var scores = map.ScoreSpan;
        for (var i = 0; i < scores.Length; i++)
        {
            if (float.IsNegativeInfinity(scores[i])) return i;
        }
        return -1;
    }
}
