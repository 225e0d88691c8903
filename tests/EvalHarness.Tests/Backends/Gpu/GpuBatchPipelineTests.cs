using CsCheck;
using EvalHarness.Backends;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>
/// The batch pipeline's bounded and parallel parts against the scalar oracle: the greedy-NMS mask
/// processed in bands of row tiles (forced by a tiny mask budget), the tile-parallel keep pass on
/// inputs of many 64-row tiles with output caps that end inside a tile, and the download that
/// carries only the kept detections.
/// </summary>
public sealed class GpuBatchPipelineTests
{
    public static TheoryData<string> MaskVariants() =>
    [
        "nms(score=0.05)", "nms(score=0.05,iou=0.3)", "nms(score=0.05,keep=70)", "nms(score=0.2,keep=129,iou=0.6)",
        "nms(score=0.05,pretopk=200,keep=150)", "peak3x3+nms(score=0.05)", "gc+nms(score=0.05,k=0)",
    ];

    /// <summary>One level of up to 20 × 20 cells with 1–3 anchors: up to 1 200 candidates, many 64-row tiles.</summary>
    private static readonly Gen<CandidateMap> LargeMap =
        Gen.Select(Gen.Int[6, 20], Gen.Int[6, 20], Gen.Int[1, 3], Gen.Int, Gen.Int[0, 2])
           .Select(t => GpuEquivalenceTests.BuildMap(1, t.Item1, t.Item2, t.Item3, t.Item4, t.Item5));

    [Theory]
    [MemberData(nameof(MaskVariants))]
    public void Mask_bands_of_one_row_tile_equal_the_scalar_oracle(string variantText)
    {
        var variant = VariantSpec.Parse(variantText);
        using var scalar = new ScalarBackend();
        LargeMap.Array[1, 3].Sample(maps =>
        {
            var outputs = RunWithBudget(maps, variant, maskBudgetBytes: 8, out var bands);
            AssertEqualToOracle(scalar, variant, maps, outputs);
            // A budget of one word forces one row tile per band; every input that reaches a second tile must have been banded.
            if (EntrantsOverOneTile(scalar, maps, variant)) Assert.True(bands > 1, $"expected several mask bands, got {bands}");
        }, iter: 6, threads: 1);
    }

    [Theory]
    [MemberData(nameof(MaskVariants))]
    public void Whole_masks_of_many_tiles_equal_the_scalar_oracle(string variantText)
    {
        var variant = VariantSpec.Parse(variantText);
        using var scalar = new ScalarBackend();
        LargeMap.Array[1, 3].Sample(maps =>
        {
            var outputs = RunWithBudget(maps, variant, maskBudgetBytes: 256L << 20, out var bands);
            AssertEqualToOracle(scalar, variant, maps, outputs);
            Assert.Equal(1, bands);
        }, iter: 6, threads: 1);
    }

    [Fact]
    public void A_budget_between_one_tile_and_the_whole_mask_gives_bands_of_several_tiles()
    {
        var variant = VariantSpec.Parse("nms(score=0.0,iou=0.9)");
        var maps = new[] { GpuEquivalenceTests.BuildMap(1, 20, 20, 2, seed: 7, scoreMode: 1) };
        // 800 entrants: 13 tiles; 64 rows × 13 words × 8 bytes = 6 656 bytes per row tile.
        var outputs = RunWithBudget(maps, variant, maskBudgetBytes: 3 * 6656, out var bands);
        Assert.Equal(5, bands); // 13 tiles in bands of 3
        using var scalar = new ScalarBackend();
        AssertEqualToOracle(scalar, variant, maps, outputs);
    }

    [Fact]
    public void The_download_carries_only_the_kept_detections()
    {
        var variant = VariantSpec.Parse("nms(score=0.05,iou=0.3)");
        var maps = new[]
        {
            GpuEquivalenceTests.BuildMap(1, 16, 16, 2, seed: 1, scoreMode: 1),
            GpuEquivalenceTests.BuildMap(1, 9, 12, 3, seed: 2, scoreMode: 0),
            new CandidateMap([(0, 0, 1, 8f)]),
        };
        var outputs = RunWithBudget(maps, variant, maskBudgetBytes: 256L << 20, out _);
        var kept = 0;
        foreach (var output in outputs) kept += output.Count;
        var gpu = GpuTestBackend.Instance;
        Assert.Equal(kept * 6, gpu.LastDownloadedInts);
        Assert.True(kept < 300, $"the test needs NMS to drop most of the 800+ entrants (kept {kept})");
    }

    public static TheoryData<string> TopKVariants() =>
    [
        "nms(score=0.0,pretopk=1)", "nms(score=0.0,pretopk=63,keep=40)", "nms(score=0.05,pretopk=257)", "nms(score=0.3,pretopk=64)",
        "fast-nms(score=0.0,pretopk=65)", "soft-nms-linear(score=0.05,pretopk=100)", "soft-nms-gaussian(pretopk=30)",
        "weighted-nms(score=0.0,pretopk=50)", "gc+nms(score=0.0,k=0,pretopk=5)", "peak3x3+nms(score=0.0,pretopk=3)",
    ];

    /// <summary>
    /// Images with more keys than preTopK are cut on the device to their preTopK best before the
    /// sort; coarse scores make many ranks differ only in the flat index, so the select's lower
    /// digits decide. Batches mix images above and below the cut.
    /// </summary>
    [Theory]
    [MemberData(nameof(TopKVariants))]
    public void Top_k_selection_before_the_sort_equals_the_scalar_oracle(string variantText)
    {
        var variant = VariantSpec.Parse(variantText);
        var k = variant.EffectivePreTopK(flatInput: false);
        using var scalar = new ScalarBackend();
        Gen.Select(LargeMap, Gen.Int[1, 4], Gen.Int[0, 2]).Array[1, 3].Sample(recipes =>
        {
            var maps = new CandidateMap[recipes.Length];
            for (var i = 0; i < maps.Length; i++)
            {
                // Every other image is small, so some images of a batch are not cut.
                maps[i] = i % 2 == 0 ? recipes[i].Item1 : GpuEquivalenceTests.BuildMap(1, recipes[i].Item2, 3, 1, seed: i, scoreMode: recipes[i].Item3);
            }
            var outputs = RunWithBudget(maps, variant, maskBudgetBytes: 256L << 20, out _);
            AssertEqualToOracle(scalar, variant, maps, outputs);
            Assert.True(GpuTestBackend.Instance.LastSortedKeys <= k * maps.Length, $"sorted {GpuTestBackend.Instance.LastSortedKeys} keys, more than {k} per image");
        }, iter: 5, threads: 1);
    }

    [Fact]
    public void Only_the_top_k_keys_of_each_image_are_sorted()
    {
        var variant = VariantSpec.Parse("nms(score=0.0,pretopk=100)");
        var maps = new[]
        {
            GpuEquivalenceTests.BuildMap(1, 20, 20, 2, seed: 3, scoreMode: 0), // 800 keys: cut to 100
            GpuEquivalenceTests.BuildMap(1, 5, 6, 1, seed: 4, scoreMode: 1),   // 30 keys: all kept
        };
        var outputs = RunWithBudget(maps, variant, maskBudgetBytes: 256L << 20, out _);
        Assert.Equal(130, GpuTestBackend.Instance.LastSortedKeys);
        using var scalar = new ScalarBackend();
        AssertEqualToOracle(scalar, variant, maps, outputs);
    }

    private static DetectionList[] RunWithBudget(CandidateMap[] maps, VariantSpec variant, long maskBudgetBytes, out int bands)
    {
        var outputs = new DetectionList[maps.Length];
        for (var i = 0; i < outputs.Length; i++) outputs[i] = new DetectionList(1);
        var bandsUsed = 0;
        GpuTestBackend.Use(gpu =>
        {
            var before = gpu.MaskBudgetBytes;
            gpu.MaskBudgetBytes = maskBudgetBytes;
            try
            {
                gpu.RunBatch(maps, variant, outputs);
                bandsUsed = gpu.LastMaskBands;
            }
            finally
            {
                gpu.MaskBudgetBytes = before;
            }
        });
        bands = bandsUsed;
        return outputs;
    }

    private static bool EntrantsOverOneTile(ScalarBackend scalar, CandidateMap[] maps, VariantSpec variant)
    {
        // Entrants of the NMS stage: the detections the same variant emits with suppression switched off.
        var noSuppression = variant with { IouThreshold = 1f, KeepTopK = int.MaxValue };
        var list = new DetectionList();
        foreach (var map in maps)
        {
            scalar.Run(map, noSuppression, list);
            if (list.Count > 64) return true;
        }
        return false;
    }

    private static void AssertEqualToOracle(ScalarBackend scalar, VariantSpec variant, CandidateMap[] maps, DetectionList[] outputs)
    {
        for (var i = 0; i < maps.Length; i++)
        {
            var expected = new DetectionList();
            scalar.Run(maps[i], variant, expected);
            BackendEquivalence.AssertEquivalent(variant, expected, outputs[i]);
        }
    }
}
