using CsCheck;
using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.PostProcessing;
using static EvalHarness.Tests.Metrics.EvalFixtures;

namespace EvalHarness.Tests.Metrics;

/// <summary>Detections evaluated in memory and the same detections written as a folder and read back give bit-identical AP.</summary>
public sealed class InMemoryVsFolderTests
{
    private sealed record Case(GroundTruth Truth, DetectionList[] Detections);

    private static readonly Gen<Case> Cases =
        Gen.Int[1, 6].SelectMany(imageCount =>
            Gen.Select(
                Gen.Select(Gen.Int[0, 300], Gen.Int[0, 300], Gen.Int[-2, 60], Gen.Int[-2, 60], Gen.Int[0, 7]).Array[0, 12].Array[imageCount],
                Gen.Select(Gen.Float[-10f, 320f], Gen.Float[-10f, 320f], Gen.Float[0f, 70f], Gen.Float[0f, 70f], Gen.Float[0f, 1f]).Array[0, 40].Array[imageCount],
                (truths, detections) => MakeCase(truths, detections)));

    private static Case MakeCase((int X, int Y, int W, int H, int Mask)[][] truths, (float X, float Y, float W, float H, float S)[][] detections)
    {
        var images = new GroundTruthImage[truths.Length];
        var lists = new DetectionList[truths.Length];
        for (var i = 0; i < truths.Length; i++)
        {
            images[i] = Image(i % 2 == 0 ? "0--A" : "1--B", $"img_{i}",
                truths[i].Select(b => (new GtBox(b.X, b.Y, b.W, b.H), (SettingMask)b.Mask)).ToArray());
            lists[i] = new DetectionList(4);
            var k = 0;
            foreach (var d in detections[i]) lists[i].Add(k++, d.S, d.X, d.Y, d.X + d.W, d.Y + d.H);
        }
        return new Case(Truth(images), lists);
    }

    [Fact]
    public void Evaluating_in_memory_equals_evaluating_the_written_folder()
    {
        Cases.Sample(c =>
        {
            using var dir = new TempDir();
            var set = new PredictionSet { Source = "memory" };
            for (var i = 0; i < c.Truth.Images.Count; i++)
            {
                var image = c.Truth.Images[i];
                set.Set(PredictionFolderWriter.ToImagePredictions(image.Event, image.ImageKey, c.Detections[i]));
                PredictionFolderWriter.WriteImage(dir.Path, image.Event, image.ImageKey, c.Detections[i]);
            }
            foreach (var protocol in new[] { EvalProtocol.Python, EvalProtocol.Matlab })
            {
                var options = new EvalOptions { Protocol = protocol };
                var memory = WiderFaceEvaluator.Evaluate(c.Truth, set, options);
                var folder = WiderFaceEvaluator.EvaluateFolder(c.Truth, dir.Path, options);
                foreach (var setting in SettingExtensions.All)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(memory[setting].Ap), BitConverter.DoubleToInt64Bits(folder[setting].Ap));
                    Assert.Equal(memory[setting].Recall, folder[setting].Recall);
                }
                Assert.Empty(folder.Warnings);
            }
        }, iter: 60);
    }

    [Fact]
    public void The_writer_uses_the_submission_format()
    {
        using var dir = new TempDir();
        var detections = new DetectionList();
        detections.Add(0, 0.75f, 1.5f, 2f, 11.5f, 22.25f);
        var path = PredictionFolderWriter.WriteImage(dir.Path, "0--E", "img_1", detections);

        Assert.Equal(Path.Combine(dir.Path, "0--E", "img_1.txt"), path);
        Assert.Equal("img_1\n1\n1.5 2 10 20.25 0.75\n", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "0--E"), "*.tmp"));
    }
}
