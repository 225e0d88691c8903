using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EvalHarness.Datasets;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Detectors;

public class SyntheticCandidateSourceTests
{
    /// <summary>SHA-256 over ground truth and every map of a source: a fingerprint of everything it generates.</summary>
    private static string Fingerprint(SyntheticCandidateSource source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var map = new CandidateMap();
        for (var i = 0; i < source.Images.Count; i++)
        {
            var gt = source.GroundTruth.Images[i];
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{gt.Event}/{gt.ImageKey}/{source.Images[i].Width}x{source.Images[i].Height}"));
            foreach (var (b, m) in gt.Boxes.Zip(gt.Counted)) hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{b.X},{b.Y},{b.W},{b.H},{(int)m};"));
            source.Load(i, map, TestContext.Current.CancellationToken);
            foreach (var l in map.Levels) hash.AppendData(System.Text.Encoding.UTF8.GetBytes(l.ToString()));
            hash.AppendData(MemoryMarshal.AsBytes(map.ScoreSpan));
            hash.AppendData(MemoryMarshal.AsBytes(map.X1Span));
            hash.AppendData(MemoryMarshal.AsBytes(map.Y1Span));
            hash.AppendData(MemoryMarshal.AsBytes(map.X2Span));
            hash.AppendData(MemoryMarshal.AsBytes(map.Y2Span));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [Fact]
    public void The_same_seed_gives_the_same_data_and_another_seed_does_not()
    {
        Assert.Equal(Fingerprint(new SyntheticCandidateSource(11, 12)), Fingerprint(new SyntheticCandidateSource(11, 12)));
        Assert.NotEqual(Fingerprint(new SyntheticCandidateSource(11, 12)), Fingerprint(new SyntheticCandidateSource(12, 12)));
    }

    [Fact]
    public void A_seed_gives_the_same_data_on_every_machine()
    {
        // Golden fingerprint: PCG32 and arithmetic-only maths make this platform-independent. It changes
        // only when the generator changes on purpose — then bump SyntheticCandidateSource.GeneratorVersion
        // (it is part of Describe(), so caches of the old data are recomputed) and update this value.
        Assert.Equal(2, SyntheticCandidateSource.GeneratorVersion);
        var actual = Fingerprint(new SyntheticCandidateSource(1, 4));
        Assert.True(actual == GoldenFingerprint, $"fingerprint {actual}");
    }

    private const string GoldenFingerprint = "c6714318f24043af7a4e6f2fda30c446c9a2854358fa0ed41addf1ecbe4d0c2d";

    [Fact]
    public void Loading_an_image_does_not_depend_on_which_images_were_loaded_before_or_in_parallel()
    {
        var source = new SyntheticCandidateSource(5, 16);
        var sequential = Enumerable.Range(0, 16).Select(i => { var m = new CandidateMap(); source.Load(i, m, TestContext.Current.CancellationToken); return m.Clone(); }).ToArray();
        var parallel = new CandidateMap[16];
        Parallel.For(0, 16, i => { var m = new CandidateMap(); source.Load(15 - i, m, TestContext.Current.CancellationToken); parallel[15 - i] = m; });
        for (var i = 0; i < 16; i++) Assert.Equal(sequential[i].ScoreSpan.ToArray(), parallel[i].ScoreSpan.ToArray());
        // a bigger set starts with the same images
        var bigger = new SyntheticCandidateSource(5, 40);
        var again = new CandidateMap();
        bigger.Load(3, again, TestContext.Current.CancellationToken);
        Assert.Equal(sequential[3].X2Span.ToArray(), again.X2Span.ToArray());
    }

    [Fact]
    public void Faces_follow_the_wider_size_spread_and_labels_are_nested()
    {
        var source = new SyntheticCandidateSource(2, 200);
        int faces = 0, under30 = 0, over300 = 0, easy = 0, medium = 0, hard = 0, ignored = 0;
        foreach (var image in source.GroundTruth.Images)
        {
            Assert.Equal(image.Boxes.Length, image.Counted.Length);
            for (var i = 0; i < image.Boxes.Length; i++)
            {
                var (b, m) = (image.Boxes[i], image.Counted[i]);
                faces++;
                if (b.H < 30) under30++;
                if (b.H > 300) over300++;
                // easy ⊂ medium ⊂ hard
                if ((m & SettingMask.Easy) != 0) Assert.True((m & SettingMask.Medium) != 0);
                if ((m & SettingMask.Medium) != 0) Assert.True((m & SettingMask.Hard) != 0);
                if ((m & SettingMask.Easy) != 0) { easy++; Assert.True(b.H >= 40); }
                if ((m & SettingMask.Medium) != 0) medium++;
                if ((m & SettingMask.Hard) != 0) hard++;
                if (m == SettingMask.None) ignored++;
                Assert.InRange(b.X, 0, 1024 - b.W);
            }
        }
        Assert.InRange(under30 / (double)faces, 0.5, 0.8);
        Assert.InRange(over300, 1, faces / 20);
        Assert.True(easy < medium && medium < hard, $"easy {easy}, medium {medium}, hard {hard}");
        Assert.InRange(ignored, 1, faces / 5);
    }

    [Fact]
    public void Maps_are_shaped_like_stitched_blazeface_tiles_and_score_faces()
    {
        var source = new SyntheticCandidateSource(3, 60);
        var map = new CandidateMap();
        int bigFaces = 0, bigFacesHit = 0, tinyFaces = 0, tinyFacesHit = 0;
        for (var i = 0; i < source.Images.Count; i++)
        {
            source.Load(i, map, TestContext.Current.CancellationToken);
            var image = source.Images[i];
            Assert.Equal((image.Width, image.Height), (map.ImageWidth, map.ImageHeight));
            Assert.Equal(new LevelShape((image.Height + 15) / 16, 64, 2, 16f, 0), map.Levels[0]);
            Assert.Equal((image.Height + 31) / 32, map.Levels[1].Height);
            Assert.Equal((32, 6, 32f), (map.Levels[1].Width, map.Levels[1].Anchors, map.Levels[1].Stride));
            Assert.All(map.ScoreSpan.ToArray(), s => Assert.InRange(s, 0f, 1f));
            foreach (var b in source.GroundTruth.Images[i].Boxes)
            {
                var hit = false;
                for (var k = 0; k < map.Count && !hit; k++)
                {
                    hit = map.Scores[k] >= 0.3f && RealModelTests.Iou(b, map.X1[k], map.Y1[k], map.X2[k], map.Y2[k]) >= 0.5;
                }
                if (b.H >= 60) { bigFaces++; if (hit) bigFacesHit++; }
                if (b.H < 8) { tinyFaces++; if (hit) tinyFacesHit++; }
            }
        }
        Assert.True(bigFacesHit > 0.7 * bigFaces, $"{bigFacesHit}/{bigFaces} large faces found");
        Assert.True(tinyFacesHit < 0.2 * Math.Max(1, tinyFaces), $"{tinyFacesHit}/{tinyFaces} tiny faces found");
    }
}
