using EvalHarness.Datasets;
using static EvalHarness.Tests.Metrics.EvalFixtures;

namespace EvalHarness.Tests.Datasets;

public sealed class GroundTruthCacheTests
{
    private static string GroundTruthDir => Path.Combine(TestData.WiderFaceRoot, "eval_tools", "ground_truth");

    private static void AssertSame(GroundTruth expected, GroundTruth actual)
    {
        Assert.Equal(expected.Images.Count, actual.Images.Count);
        for (var i = 0; i < expected.Images.Count; i++)
        {
            var e = expected.Images[i];
            var a = actual.Images[i];
            Assert.Equal((e.Event, e.ImageKey), (a.Event, a.ImageKey));
            Assert.Equal(e.Boxes, a.Boxes);
            Assert.Equal(e.Counted, a.Counted);
        }
        Assert.Equal(expected.Source, actual.Source);
        Assert.False(actual.IsSubset);
    }

    [Fact]
    public void The_cached_ground_truth_equals_the_parsed_one_and_is_used_the_second_time()
    {
        using var cache = new TempDir();
        var parsed = WiderGroundTruthLoader.Load(GroundTruthDir);

        var first = WiderGroundTruthLoader.LoadCached(GroundTruthDir, cache.Path);
        var file = Assert.Single(Directory.GetFiles(cache.Path));
        var written = File.GetLastWriteTimeUtc(file);
        var second = WiderGroundTruthLoader.LoadCached(GroundTruthDir, cache.Path);

        AssertSame(parsed, first);
        AssertSame(parsed, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        Assert.Empty(Directory.GetFiles(cache.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    [InlineData("garbage")]
    public void A_damaged_cache_file_is_ignored_and_rewritten(string damage)
    {
        using var cache = new TempDir();
        var parsed = WiderGroundTruthLoader.Load(GroundTruthDir);
        WiderGroundTruthLoader.LoadCached(GroundTruthDir, cache.Path);
        var file = Assert.Single(Directory.GetFiles(cache.Path));
        var good = File.ReadAllBytes(file);
        var bad = damage switch
        {
            "flip" => Flip(good, good.Length / 2),
            "truncate" => good[..(good.Length - 7)],
            "empty" => [],
            _ => System.Text.Encoding.ASCII.GetBytes("not a cache file at all"),
        };
        File.WriteAllBytes(file, bad);

        AssertSame(parsed, WiderGroundTruthLoader.LoadCached(GroundTruthDir, cache.Path));
        Assert.Equal(good, File.ReadAllBytes(file));
    }

    [Fact]
    public void Decode_rejects_every_damaged_byte()
    {
        var images = new List<GroundTruthImage> { Image("0--E", "a", (new GtBox(1, 2, 3, 4), SettingMask.All), (new GtBox(5, 6, -2, 8), SettingMask.None)) };
        var key = new byte[32];
        key[0] = 7;
        var bytes = GroundTruthCache.Encode(new GroundTruthCache.Entry(key, [new(10, 20), new(30, 40)], images));

        var decoded = GroundTruthCache.Decode(bytes);
        Assert.NotNull(decoded);
        Assert.Equal(key, decoded!.Key);
        Assert.Equal([new(10, 20), new(30, 40)], decoded.Stamps);
        Assert.Equal(images[0].Boxes, decoded.Images[0].Boxes);
        Assert.Equal(images[0].Counted, decoded.Images[0].Counted);
        // Past the key and the stamps (checked against the files, not by the checksum), any flipped byte is caught.
        for (var i = 8 + 32 + 4 + 2 * 16; i < bytes.Length; i++) Assert.Null(GroundTruthCache.Decode(Flip(bytes, i)));
        for (var i = 0; i < 8; i++) Assert.Null(GroundTruthCache.Decode(Flip(bytes, i)));
        Assert.Null(GroundTruthCache.Decode(bytes[..^1]));
    }

    [Fact]
    public void Touched_files_with_the_same_content_keep_the_copy_and_changed_content_replaces_it()
    {
        using var gt = new TempDir();
        foreach (var file in Directory.GetFiles(GroundTruthDir, "*.mat")) File.Copy(file, Path.Combine(gt.Path, Path.GetFileName(file)));
        using var cache = new TempDir();
        var parsed = WiderGroundTruthLoader.Load(gt.Path);
        WiderGroundTruthLoader.LoadCached(gt.Path, cache.Path);
        var cacheFile = Assert.Single(Directory.GetFiles(cache.Path));
        var face = Path.Combine(gt.Path, WiderGroundTruthLoader.FaceFile);

        // Touched: the SHA-256 is recomputed, equals the key, the copy is served and restamped.
        File.SetLastWriteTimeUtc(face, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        AssertSame(parsed, WiderGroundTruthLoader.LoadCached(gt.Path, cache.Path));
        Assert.Contains(GroundTruthCache.Decode(File.ReadAllBytes(cacheFile))!.Stamps, s => s.LastWriteTicks == new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).Ticks);

        // Other content (a setting file swapped for another): other key, so the copy is rebuilt from the files.
        File.Copy(Path.Combine(gt.Path, WiderGroundTruthLoader.SettingFile(Setting.Easy)), Path.Combine(gt.Path, WiderGroundTruthLoader.SettingFile(Setting.Hard)), overwrite: true);
        var changed = WiderGroundTruthLoader.Load(gt.Path);
        AssertSame(changed, WiderGroundTruthLoader.LoadCached(gt.Path, cache.Path));
        Assert.NotEqual(parsed.Images.Sum(i => i.CountedFaces(Setting.Hard)), changed.Images.Sum(i => i.CountedFaces(Setting.Hard)));
    }

    [Fact]
    public void An_unwritable_cache_folder_only_means_no_cache()
    {
        using var dir = new TempDir();
        var blocker = dir.Write("file", "x"); // a file where the folder should be
        var parsed = WiderGroundTruthLoader.Load(GroundTruthDir);
        AssertSame(parsed, WiderGroundTruthLoader.LoadCached(GroundTruthDir, Path.Combine(blocker, "cache")));
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x10;
        return copy;
    }
}
