using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.Metrics;

namespace EvalHarness.Tests.Metrics;

/// <summary>The public Python port's printed AP on the public RetinaFace dump, compared as shortest round-trip strings.</summary>
public sealed class GoldenApTests
{
    private const string Dump = "retinaface-mnet0.25-selftrained";

    internal static GroundTruth FullGroundTruth() => SharedGroundTruth.Value;

    private static readonly Lazy<GroundTruth> SharedGroundTruth = new(() => WiderGroundTruthLoader.Load(TestData.WiderFaceRoot));

    [Fact]
    public void Python_protocol_reproduces_the_ports_AP_to_every_digit()
    {
        var gt = FullGroundTruth();
        var result = WiderFaceEvaluator.EvaluateFolder(gt, Path.Combine(TestData.PredictionsRoot, Dump), EvalOptions.Default);

        Assert.Equal("0.9003152243949055", result[Setting.Easy].Ap.ToString("R", CultureInfo.InvariantCulture));
        Assert.Equal("0.8727082460501708", result[Setting.Medium].Ap.ToString("R", CultureInfo.InvariantCulture));
        Assert.Equal("0.719752109388244", result[Setting.Hard].Ap.ToString("R", CultureInfo.InvariantCulture));
        Assert.False(result.IsSubset);
        Assert.Equal(3226, result.ImageCount);
        Assert.Equal(7211, result[Setting.Easy].Faces);
        Assert.Equal(13319, result[Setting.Medium].Faces);
        Assert.Equal(31958, result[Setting.Hard].Faces);
        Assert.Empty(result.Warnings);
    }
}
