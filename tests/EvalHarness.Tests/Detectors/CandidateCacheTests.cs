using System.Buffers.Binary;
using System.Security.Cryptography;
using EvalHarness.Datasets;
using EvalHarness.Detectors.Cache;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Tests.Detectors;

public sealed class CandidateCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Wraps the synthetic detector, counting computations and optionally failing at one image (an interrupted run).</summary>
    private sealed class CountingSource(ICandidateSource inner, string? description = null) : ICandidateSource
    {
        public int Loads;
        public int FailAt = -1;
        public string Describe() => description ?? inner.Describe();
        public IReadOnlyList<ImageRef> Images => inner.Images;
        public GroundTruth GroundTruth => inner.GroundTruth;
        public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default)
        {
            if (index == FailAt) throw new IOException("simulated crash");
            Loads++;
            inner.Load(index, map, cancellationToken);
        }
        public void Dispose() { }
    }

    private static CandidateMap SampleMap(int index = 0, int keypoints = 0)
    {
        var map = new CandidateMap();
        new SyntheticCandidateSource(7, index + 1).Load(index, map, TestContext.Current.CancellationToken);
        if (keypoints == 0) return map;
        var withKeypoints = new CandidateMap([(map.Levels[0].Height, map.Levels[0].Width, map.Levels[0].Anchors, map.Levels[0].Stride)], keypoints)
        {
            Event = map.Event, ImageKey = map.ImageKey, ImageWidth = map.ImageWidth, ImageHeight = map.ImageHeight,
        };
        for (var i = 0; i < withKeypoints.Count; i++) withKeypoints.Set(i, map.Scores[i], map.X1[i], map.Y1[i], map.X2[i], map.Y2[i]);
        for (var i = 0; i < withKeypoints.Count * keypoints * 2; i++) withKeypoints.Keypoints[i] = i * 0.5f;
        return withKeypoints;
    }

    private static void AssertSameMap(CandidateMap expected, CandidateMap actual)
    {
        Assert.Equal(expected.Event, actual.Event);
        Assert.Equal(expected.ImageKey, actual.ImageKey);
        Assert.Equal((expected.ImageWidth, expected.ImageHeight), (actual.ImageWidth, actual.ImageHeight));
        Assert.Equal(expected.Levels, actual.Levels);
        Assert.Equal(expected.KeypointCount, actual.KeypointCount);
        Assert.Equal(expected.ScoreSpan.ToArray(), actual.ScoreSpan.ToArray());
        Assert.Equal(expected.X1Span.ToArray(), actual.X1Span.ToArray());
        Assert.Equal(expected.Y1Span.ToArray(), actual.Y1Span.ToArray());
        Assert.Equal(expected.X2Span.ToArray(), actual.X2Span.ToArray());
        Assert.Equal(expected.Y2Span.ToArray(), actual.Y2Span.ToArray());
        Assert.Equal(expected.Keypoints.AsSpan(0, expected.Count * expected.KeypointCount * 2).ToArray(), actual.Keypoints.AsSpan(0, actual.Count * actual.KeypointCount * 2).ToArray());
    }

    private static readonly byte[] Params = SHA256.HashData("p"u8);

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Entries_round_trip_bit_for_bit(int keypoints)
    {
        var map = SampleMap(keypoints: keypoints);
        var bytes = CandidateCache.Serialize(map, Params);
        var back = new CandidateMap();
        Assert.Null(CandidateCache.Parse(bytes, Params, map.Event, map.ImageKey, back));
        AssertSameMap(map, back);
    }

    [Fact]
    public void Any_flipped_byte_is_detected()
    {
        var map = SampleMap();
        var bytes = CandidateCache.Serialize(map, Params);
        foreach (var position in new[] { 0, 5, 9, 60, 100, bytes.Length / 2, bytes.Length - 40, bytes.Length - 1 })
        {
            var copy = (byte[])bytes.Clone();
            copy[position] ^= 0x10;
            Assert.NotNull(CandidateCache.Parse(copy, Params, map.Event, map.ImageKey, new CandidateMap()));
        }
    }

    [Fact]
    public void Truncation_is_detected_at_every_length()
    {
        var map = SampleMap();
        var bytes = CandidateCache.Serialize(map, Params);
        for (var length = 0; length < bytes.Length; length += 1 + (length / 7))
        {
            Assert.NotNull(CandidateCache.Parse(bytes[..length], Params, map.Event, map.ImageKey, new CandidateMap()));
        }
    }

    [Fact]
    public void Other_version_other_parameters_and_other_image_are_refused_with_a_reason()
    {
        var map = SampleMap();
        var bytes = CandidateCache.Serialize(map, Params);
        var otherVersion = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(otherVersion.AsSpan(4), CandidateCache.FormatVersion + 1);
        SHA256.HashData(otherVersion.AsSpan(0, otherVersion.Length - 32), otherVersion.AsSpan(otherVersion.Length - 32));
        Assert.Contains($"version {CandidateCache.FormatVersion + 1}", CandidateCache.Parse(otherVersion, Params, map.Event, map.ImageKey, new CandidateMap()));
        Assert.Contains("other parameters", CandidateCache.Parse(bytes, SHA256.HashData("q"u8), map.Event, map.ImageKey, new CandidateMap()));
        Assert.Contains("not", CandidateCache.Parse(bytes, Params, map.Event, "another_image", new CandidateMap()));
    }

    /// <summary>The synthetic images, each given a file whose bytes stand for the image's content.</summary>
    private sealed class FileBackedSource(ICandidateSource inner, string folder) : ICandidateSource
    {
        public int Loads;
        public string Describe() => inner.Describe();
        public IReadOnlyList<ImageRef> Images { get; } = inner.Images.Select(i => i with { Path = Path.Combine(folder, i.ImageKey + ".jpg") }).ToList();
        public GroundTruth GroundTruth => inner.GroundTruth;
        public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default)
        {
            Loads++;
            inner.Load(index, map, cancellationToken);
        }
        public void Dispose() { }
    }

    [Fact]
    public void An_entry_of_an_image_whose_bytes_changed_is_recomputed_not_replayed()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var source = new FileBackedSource(new SyntheticCandidateSource(3, 2), images);
        foreach (var image in source.Images) File.WriteAllBytes(image.Path!, [1, 2, 3]);
        var cacheDir = Path.Combine(_dir, "cache");
        void LoadAll(CachedCandidateSource cached)
        {
            for (var i = 0; i < 2; i++) cached.Load(i, new CandidateMap(), TestContext.Current.CancellationToken);
        }
        using (var first = new CachedCandidateSource(source, cacheDir, ownsInner: false)) LoadAll(first);
        using (var replay = new CachedCandidateSource(source, cacheDir, ownsInner: false))
        {
            LoadAll(replay);
            Assert.Equal((2, 0), (replay.Hits, replay.Computed));
        }

        // same name, same size, other bytes (a re-encoded copy): the old candidates must not be used
        File.WriteAllBytes(source.Images[1].Path!, [1, 2, 4]);
        using var changed = new CachedCandidateSource(source, cacheDir, ownsInner: false);
        LoadAll(changed);
        Assert.Equal((1, 1), (changed.Hits, changed.Computed));
        var warning = Assert.Single(changed.Warnings);
        Assert.Contains("other image bytes", warning.Problem);
        Assert.Equal(3, source.Loads); // two first computations, none on the replay, one recomputation
    }

    [Fact]
    public void A_rerun_replays_every_image_without_computing()
    {
        var inner = new CountingSource(new SyntheticCandidateSource(3, 6));
        var expected = new List<CandidateMap>();
        using (var cached = new CachedCandidateSource(inner, _dir, ownsInner: false))
        {
            for (var i = 0; i < 6; i++)
            {
                var map = new CandidateMap();
                cached.Load(i, map, TestContext.Current.CancellationToken);
                expected.Add(map);
            }
            Assert.Equal((0, 6), (cached.Hits, cached.Computed));
        }
        using (var again = new CachedCandidateSource(inner, _dir, ownsInner: false))
        {
            for (var i = 0; i < 6; i++)
            {
                var map = new CandidateMap();
                again.Load(i, map, TestContext.Current.CancellationToken);
                AssertSameMap(expected[i], map);
            }
            Assert.Equal((6, 0), (again.Hits, again.Computed));
            Assert.Empty(again.Warnings);
        }
        Assert.Equal(6, inner.Loads);
        Assert.True(File.Exists(Path.Combine(_dir, CandidateCache.ManifestFileName)));
    }

    [Fact]
    public void A_corrupt_or_truncated_entry_is_reported_recomputed_and_never_used()
    {
        var inner = new CountingSource(new SyntheticCandidateSource(3, 3));
        var reference = new CandidateMap();
        inner.Load(1, reference, TestContext.Current.CancellationToken);
        using (var cached = new CachedCandidateSource(inner, _dir, ownsInner: false))
        {
            for (var i = 0; i < 3; i++) cached.Load(i, new CandidateMap(), TestContext.Current.CancellationToken);
        }
        var path = new CandidateCache(_dir, inner.Describe()).EntryPath(reference.Event, reference.ImageKey);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var truncated = new CandidateCache(_dir, inner.Describe()).EntryPath(inner.Images[2].Event, inner.Images[2].ImageKey);
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..100]);

        var warnings = new List<CacheWarning>();
        using var again = new CachedCandidateSource(inner, _dir, warnings.Add, ownsInner: false);
        var map = new CandidateMap();
        again.Load(1, map, TestContext.Current.CancellationToken);
        AssertSameMap(reference, map);
        again.Load(2, new CandidateMap(), TestContext.Current.CancellationToken);
        again.Load(0, new CandidateMap(), TestContext.Current.CancellationToken);
        Assert.Equal((1, 2), (again.Hits, again.Computed));
        Assert.Equal(2, warnings.Count);
        Assert.Contains(path, warnings[0].Path);
        Assert.Contains("checksum", warnings[0].Problem);
        Assert.Equal(warnings, again.Warnings);
        // the recomputed entries are whole again
        using var third = new CachedCandidateSource(inner, _dir, ownsInner: false);
        for (var i = 0; i < 3; i++) third.Load(i, new CandidateMap(), TestContext.Current.CancellationToken);
        Assert.Equal(3, third.Hits);
    }

    [Fact]
    public void Other_parameters_are_reported_and_recomputed()
    {
        var a = new CountingSource(new SyntheticCandidateSource(3, 2), "model A");
        using (var cached = new CachedCandidateSource(a, _dir, ownsInner: false))
        {
            cached.Load(0, new CandidateMap(), TestContext.Current.CancellationToken);
            cached.Load(1, new CandidateMap(), TestContext.Current.CancellationToken);
        }
        var b = new CountingSource(new SyntheticCandidateSource(3, 2), "model B");
        var warnings = new List<CacheWarning>();
        using var other = new CachedCandidateSource(b, _dir, warnings.Add, ownsInner: false);
        other.Load(0, new CandidateMap(), TestContext.Current.CancellationToken);
        Assert.Equal((0, 1), (other.Hits, other.Computed));
        Assert.Contains(warnings, w => w.Path.EndsWith(CandidateCache.ManifestFileName, StringComparison.Ordinal) && w.Problem.Contains("model A"));
        Assert.Contains(warnings, w => w.Problem.Contains("other parameters"));
    }

    [Fact]
    public void An_interrupted_run_resumes_where_it_stopped()
    {
        var inner = new CountingSource(new SyntheticCandidateSource(5, 8)) { FailAt = 5 };
        Assert.Throws<IOException>(() => DetectJob.Run(new DetectJobOptions { Source = inner, CacheDirectory = _dir }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(5, inner.Loads);
        inner.Loads = 0;
        inner.FailAt = -1;
        var summary = DetectJob.Run(new DetectJobOptions { Source = inner, CacheDirectory = _dir }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((8, 5, 3), (summary.Images, summary.CacheHits, summary.Computed));
        Assert.Equal(3, inner.Loads);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Image_names_that_could_escape_the_cache_folder_are_refused()
    {
        var cache = new CandidateCache(_dir, "x");
        Assert.Throws<EvalHarness.IO.DataFormatException>(() => cache.EntryPath("..", "a"));
        Assert.Throws<EvalHarness.IO.DataFormatException>(() => cache.EntryPath("e", "../../etc/passwd"));
    }

    /// <summary>Some of another source's images, as a run over other events or a shard sees them.</summary>
    private sealed class SubsetSource(ICandidateSource inner, int[] indices) : ICandidateSource
    {
        public string Describe() => inner.Describe();
        public IReadOnlyList<ImageRef> Images { get; } = indices.Select(i => inner.Images[i]).ToList();
        public GroundTruth GroundTruth => inner.GroundTruth;
        public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default) => inner.Load(indices[index], map, cancellationToken);
        public void Dispose() { }
    }

    private static int ManifestImages(string dir)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, CandidateCache.ManifestFileName)));
        return doc.RootElement.GetProperty("images").GetInt32();
    }

    private static void LoadAll(CachedCandidateSource source)
    {
        var map = new CandidateMap();
        for (var i = 0; i < source.Images.Count; i++) source.Load(i, map, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void The_manifest_counts_every_writers_entries_not_the_last_writers_image_list()
    {
        var all = new SyntheticCandidateSource(3, 8);
        var dir = Path.Combine(_dir, "shared");
        using (var first = new CachedCandidateSource(new SubsetSource(all, [0, 1, 2, 3, 4]), dir, ownsInner: false)) LoadAll(first);
        Assert.Equal(5, ManifestImages(dir));
        // a later run over fewer, partly other images: the cache now holds 7, not "3"
        using (var second = new CachedCandidateSource(new SubsetSource(all, [4, 5, 6]), dir, ownsInner: false))
        {
            Assert.Equal(5, ManifestImages(dir)); // on opening: what is there
            LoadAll(second);
        }
        Assert.Equal(7, ManifestImages(dir));
        // entries of other parameters are not counted
        using (var other = new CachedCandidateSource(new CountingSource(new SubsetSource(all, [7]), "other parameters"), dir, ownsInner: false))
        {
            LoadAll(other);
        }
        Assert.Equal(1, ManifestImages(dir));
    }

    [Fact]
    public void Writers_sharing_a_cache_at_the_same_time_leave_the_full_count()
    {
        var all = new SyntheticCandidateSource(4, 12);
        var dir = Path.Combine(_dir, "concurrent");
        var halves = new[] { Enumerable.Range(0, 6).ToArray(), Enumerable.Range(6, 6).ToArray() };
        Parallel.For(0, 2, h =>
        {
            using var source = new CachedCandidateSource(new SubsetSource(all, halves[h]), dir, ownsInner: false);
            LoadAll(source);
        });
        Assert.Equal(12, ManifestImages(dir));
    }
}
