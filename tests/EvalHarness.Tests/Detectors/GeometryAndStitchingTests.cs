using CsCheck;
using EvalHarness.Detectors.Input;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Detectors;

public class LetterboxGeometryTests
{
    [Fact]
    public void Landscape_image_is_scaled_to_the_long_side_and_centred_vertically()
    {
        var g = LetterboxGeometry.For(1024, 768, 256, 256);
        Assert.Equal(new LetterboxGeometry(0.25, 256, 192, 0, 32), g);
        // the input pixel (128, 32) is the image's top-centre
        Assert.Equal(512, g.ToImageX(128));
        Assert.Equal(0, g.ToImageY(32));
    }

    [Fact]
    public void Resized_size_is_rounded_to_the_nearest_pixel_and_padding_is_integer()
    {
        // 1000 × 333 → scale 0.256, height 85.248 → 85, pad (256 − 85)/2 = 85
        var g = LetterboxGeometry.For(1000, 333, 256, 256);
        Assert.Equal((256, 85, 0, 85), (g.ResizedWidth, g.ResizedHeight, g.PadX, g.PadY));
        // portrait: 300 × 700 at 128 → 54.857 → 55 wide, pad 36
        var p = LetterboxGeometry.For(300, 700, 128, 128);
        Assert.Equal((55, 128, 36, 0), (p.ResizedWidth, p.ResizedHeight, p.PadX, p.PadY));
    }

    [Fact]
    public void Mapping_round_trips_for_any_image_and_point()
    {
        Gen.Select(Gen.Int[1, 6000], Gen.Int[1, 6000], Gen.Int[1, 4].Select(k => 64 * k), Gen.Double[-100, 7000], Gen.Double[-100, 7000])
            .Sample((w, h, s, x, y) =>
            {
                var g = LetterboxGeometry.For(w, h, s, s);
                Assert.InRange(g.ResizedWidth, 1, s);
                Assert.InRange(g.ResizedHeight, 1, s);
                Assert.True(g.ResizedWidth == s || g.ResizedHeight == s);
                Assert.Equal(x, g.ToImageX(g.ToInputX(x)), 1e-6 * Math.Max(1, Math.Abs(x)));
                Assert.Equal(y, g.ToImageY(g.ToInputY(y)), 1e-6 * Math.Max(1, Math.Abs(y)));
            });
    }
}

public class TileLayoutTests
{
    private static readonly int[] LevelStrides = [16, 32];

    [Fact]
    public void Default_stride_is_half_the_input_and_a_multiple_of_the_largest_level_stride()
    {
        Assert.Equal(128, TileLayout.DefaultStride(256, 256, 32));
        Assert.Equal(64, TileLayout.DefaultStride(128, 128, 16));
        Assert.Equal(320, TileLayout.DefaultStride(640, 640, 32));
        Assert.Throws<UsageException>(() => TileLayout.ValidateStride(100, 256, 256, 32));
        Assert.Throws<UsageException>(() => TileLayout.ValidateStride(288, 256, 256, 32));
    }

    [Fact]
    public void Tiles_cover_every_whole_image_cell_and_start_on_cell_boundaries()
    {
        Gen.Select(Gen.Int[1, 3000], Gen.Int[1, 3000], Gen.Int[1, 8]).Sample((w, h, k) =>
        {
            const int tile = 256, largest = 32;
            var layout = new TileLayout(w, h, tile, tile, k * largest);
            foreach (var levelStride in LevelStrides)
            {
                var gw = TileLayout.GridCells(w, levelStride);
                var gh = TileLayout.GridCells(h, levelStride);
                var covered = new bool[gh, gw];
                for (var t = 0; t < layout.Count; t++)
                {
                    var (ox, oy) = layout.Origin(t);
                    Assert.Equal(0, ox % levelStride);
                    Assert.Equal(0, oy % levelStride);
                    Assert.True(ox < w && oy < h, "a tile starts outside the image");
                    for (var y = oy / levelStride; y < Math.Min(gh, (oy + tile) / levelStride); y++)
                    {
                        for (var x = ox / levelStride; x < Math.Min(gw, (ox + tile) / levelStride); x++) covered[y, x] = true;
                    }
                }
                foreach (var c in covered) Assert.True(c);
            }
        });
    }

    [Fact]
    public void Tile_counts_by_hand()
    {
        Assert.Equal(1, TileLayout.TileCount(100, 256, 128));
        Assert.Equal(1, TileLayout.TileCount(256, 256, 128));
        Assert.Equal(2, TileLayout.TileCount(257, 256, 128));
        Assert.Equal(7, TileLayout.TileCount(1024, 256, 128));
        var layout = new TileLayout(600, 300, 256, 256, 128);
        Assert.Equal((4, 2), (layout.TilesX, layout.TilesY));
        Assert.Equal((384, 128), layout.Origin(7));
    }
}

public class TileStitcherTests
{
    /// <summary>A 2×2-cell, 2-anchor tile whose every candidate has <paramref name="score"/> and a box tagged by <paramref name="tag"/>.</summary>
    private static CandidateMap Tile(float score, float tag, int keypoints = 0)
    {
        var map = new CandidateMap([(2, 2, 2, 8f)], keypoints);
        for (var i = 0; i < map.Count; i++)
        {
            map.Set(i, score, tag + i, 10f, tag + i + 4f, 20f);
            for (var k = 0; k < keypoints * 2; k++) map.Keypoints[(i * keypoints * 2) + k] = tag;
        }
        return map;
    }

    private static CandidateMap Global() => new([(3, 3, 2, 4f)], keypointCount: 1);

    [Fact]
    public void Cells_map_to_the_offset_cell_with_coordinates_scaled_back()
    {
        var global = Global();
        TileStitcher.Clear(global);
        var tile = Tile(0.7f, 100f, keypoints: 1);
        // tile cell (0,0) → global cell (1,1); x = (x_in + 8)/2
        TileStitcher.Stitch(tile, 0, global, 0, 1, 1, 8, -4, 2, 0.5);
        var d = global.Levels[0].FlatIndex(1, 1, 1);
        Assert.Equal(0.7f, global.Scores[d]);
        Assert.Equal((101f + 8f) / 2f, global.X1[d]);
        Assert.Equal((10f - 4f) / 0.5f, global.Y1[d]);
        Assert.Equal((100f + 8f) / 2f, global.Keypoints[d * 2]);
        // cells of the tile that fall outside the 3×3 grid are dropped, the rest stay uncovered
        Assert.True(float.IsNegativeInfinity(global.Scores[global.Levels[0].FlatIndex(0, 0, 0)]));
        Assert.Equal(0, TileStitcher.FirstUncovered(global));
    }

    [Fact]
    public void The_higher_score_wins_per_anchor_and_ties_keep_the_earlier_tile()
    {
        var global = Global();
        TileStitcher.Clear(global);
        var first = Tile(0.5f, 100f);
        var second = Tile(0.5f, 200f);
        second.Scores[1] = 0.9f;      // cell (0,0) anchor 1 beats the first tile
        second.Scores[2] = 0.4f;      // cell (0,1) anchor 0 loses
        TileStitcher.Stitch(first, 0, global, 0, 0, 0, 0, 0, 1, 1);
        TileStitcher.Stitch(second, 0, global, 0, 0, 0, 0, 0, 1, 1);
        Assert.Equal(100f, global.X1[0]);          // tie: earlier tile
        Assert.Equal(201f, global.X1[1]);          // higher score: later tile
        Assert.Equal(0.9f, global.Scores[1]);
        Assert.Equal(102f, global.X1[2]);          // lower score: earlier tile stays
        // a third tile offset by one cell shares only global cell (1,1) with the others
        var third = Tile(0.6f, 300f);
        TileStitcher.Stitch(third, 0, global, 0, 1, 1, 0, 0, 1, 1);
        var shared = global.Levels[0].FlatIndex(1, 1, 0);
        Assert.Equal(300f, global.X1[shared]);     // 0.6 > 0.5
        // global cells (0,2) and (2,0) lie in no tile; the first of them in flat order is (0,2) anchor 0
        Assert.Equal(global.Levels[0].FlatIndex(0, 2, 0), TileStitcher.FirstUncovered(global));
    }

    [Fact]
    public void Stitching_order_matters_only_for_ties()
    {
        // scores from a small set so ties are common
        Gen.Select(Gen.Int[0, 4].Select(v => v / 4f).Array[8], Gen.Int[0, 4].Select(v => v / 4f).Array[8]).Sample((a, b) =>
        {
            var ta = Tile(0f, 100f);
            var tb = Tile(0f, 200f);
            a.CopyTo(ta.Scores, 0);
            b.CopyTo(tb.Scores, 0);
            var ab = Global();
            TileStitcher.Clear(ab);
            TileStitcher.Stitch(ta, 0, ab, 0, 0, 0, 0, 0, 1, 1);
            TileStitcher.Stitch(tb, 0, ab, 0, 0, 0, 0, 0, 1, 1);
            for (var i = 0; i < 8; i++)
            {
                // tile (y, x, a) = (i / 4, i / 2 % 2, i % 2) lands on the same (y, x, a) of the 3×3 grid
                var g = ab.Levels[0].FlatIndex(i / 4, i / 2 % 2, i % 2);
                Assert.Equal(Math.Max(a[i], b[i]), ab.Scores[g]);
                Assert.Equal(b[i] > a[i] ? 200f + i : 100f + i, ab.X1[g]);
            }
        });
    }
}
