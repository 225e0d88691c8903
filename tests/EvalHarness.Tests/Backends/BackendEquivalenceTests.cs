using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends;

/// <summary>The equivalence helper itself must reject what the spec rejects.</summary>
public class BackendEquivalenceTests
{
    private static DetectionList List(params (int Flat, float Score, float X1)[] rows)
    {
        var list = new DetectionList();
        foreach (var (flat, score, x1) in rows) list.Add(flat, score, x1, 0f, x1 + 10f, 10f);
        return list;
    }

    private static readonly VariantSpec Nms = VariantSpec.Default(VariantKind.Nms);
    private static readonly VariantSpec Soft = VariantSpec.Default(VariantKind.SoftNmsGaussian);

    [Fact]
    public void Exact_variants_need_the_same_indices_in_the_same_order_and_scores_within_1e6()
    {
        var expected = List((3, 0.9f, 0f), (1, 0.5f, 20f));
        Assert.Null(DetectionEquivalence.Compare(Nms, expected, List((3, 0.9f, 0f), (1, 0.5f, 20f))));
        Assert.Null(DetectionEquivalence.Compare(Nms, expected, List((3, 0.9f + 5e-7f, 0f), (1, 0.5f, 20f))));
        Assert.NotNull(DetectionEquivalence.Compare(Nms, expected, List((3, 0.9f + 3e-6f, 0f), (1, 0.5f, 20f))));
        Assert.NotNull(DetectionEquivalence.Compare(Nms, expected, List((1, 0.5f, 20f), (3, 0.9f, 0f))));
        Assert.NotNull(DetectionEquivalence.Compare(Nms, expected, List((3, 0.9f, 0f))));
        Assert.NotNull(DetectionEquivalence.Compare(Nms, expected, List((3, 0.9f, 0f), (1, 0.5f, 21f))));
    }

    [Fact]
    public void Soft_and_weighted_variants_need_the_same_set_with_values_within_1e5_relative()
    {
        var expected = List((3, 0.9f, 100f), (1, 0.5f, 20f));
        Assert.Null(DetectionEquivalence.Compare(Soft, expected, List((1, 0.5f, 20f), (3, 0.9f, 100f))));
        Assert.Null(DetectionEquivalence.Compare(Soft, expected, List((3, 0.9f * (1 + 5e-6f), 100f * (1 + 5e-6f)), (1, 0.5f, 20f))));
        Assert.NotNull(DetectionEquivalence.Compare(Soft, expected, List((3, 0.9f * (1 + 3e-5f), 100f), (1, 0.5f, 20f))));
        Assert.NotNull(DetectionEquivalence.Compare(Soft, expected, List((3, 0.9f, 100.01f), (1, 0.5f, 20f))));
        Assert.NotNull(DetectionEquivalence.Compare(Soft, expected, List((3, 0.9f, 100f), (2, 0.5f, 20f))));
        Assert.NotNull(DetectionEquivalence.Compare(Soft, expected, List((3, 0.9f, 100f), (3, 0.9f, 100f))));
    }

    [Fact]
    public void Identical_means_the_same_float_bits()
    {
        var expected = List((3, 0.9f, 0f));
        BackendEquivalence.AssertIdentical(Nms, expected, List((3, 0.9f, 0f)));
        Assert.ThrowsAny<Exception>(() => BackendEquivalence.AssertIdentical(Nms, expected, List((3, 0.9f, -0f))));
        Assert.ThrowsAny<Exception>(() => BackendEquivalence.AssertIdentical(Nms, expected, List((3, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(0.9f) + 1), 0f))));
    }
}
