using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.Metrics;

namespace EvalHarness.Tests.Metrics;

public sealed class ImageEvalRecordsTests
{
    private static EvaluationResult Golden() => GoldenResult.Value;

    private static readonly Lazy<EvaluationResult> GoldenResult = new(() => WiderFaceEvaluator.EvaluateFolder(
        GoldenApTests.FullGroundTruth(), Path.Combine(TestData.PredictionsRoot, "retinaface-mnet0.25-selftrained"), EvalOptions.Default));

    [Fact]
    public void All_ones_reproduces_the_golden_AP_exactly()
    {
        var result = Golden();
        var ones = Enumerable.Repeat(1, result.Records.ImageCount).ToArray();
        foreach (var setting in SettingExtensions.All)
        {
            Assert.Equal(result[setting].Ap.ToString("R", CultureInfo.InvariantCulture), result.Records.ApWithWeights(setting, ones).ToString("R", CultureInfo.InvariantCulture));
        }
        Assert.Equal("0.719752109388244", result.Records.ApWithWeights(Setting.Hard, ones).ToString("R", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Doubling_every_weight_leaves_the_AP_unchanged()
    {
        var result = Golden();
        var twos = Enumerable.Repeat(2, result.Records.ImageCount).ToArray();
        Assert.Equal(result[Setting.Medium].Ap, result.Records.ApWithWeights(Setting.Medium, twos));
    }

    [Fact]
    public void Zero_weights_equal_evaluating_the_kept_images_with_the_same_normalisation()
    {
        // The python protocol normalises over every prediction read, so evaluating a subset of the
        // ground truth against the same prediction set keeps the normalisation, as the weights do.
        var gt = GoldenApTests.FullGroundTruth();
        var predictions = PredictionFolderReader.ReadPython(Path.Combine(TestData.PredictionsRoot, "retinaface-mnet0.25-selftrained"), false, new List<string>());
        var full = WiderFaceEvaluator.Evaluate(gt, predictions, EvalOptions.Default);
        var weights = new int[gt.Images.Count];
        var kept = new List<string>();
        for (var i = 0; i < weights.Length; i += 3)
        {
            weights[i] = 1;
            kept.Add(gt.Images[i].ImageKey);
        }
        var subset = WiderFaceEvaluator.Evaluate(gt.Subset(kept), predictions, EvalOptions.Default);

        Assert.True(subset.IsSubset);
        foreach (var setting in SettingExtensions.All)
        {
            Assert.Equal(subset[setting].Ap, full.Records.ApWithWeights(setting, weights));
        }
    }

    [Fact]
    public void Weights_must_cover_every_image()
    {
        var result = Golden();
        Assert.Throws<ArgumentException>(() => result.Records.ApWithWeights(Setting.Easy, new int[3]));
    }
}
