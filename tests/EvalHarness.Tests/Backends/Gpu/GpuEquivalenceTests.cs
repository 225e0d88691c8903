using CsCheck;
using EvalHarness.Backends;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>
/// Property tests: the GPU kernels (on ILGPU's CPU simulator) against the scalar oracle on random
/// dense maps and batches, under the spec's equivalence rule. Scores are drawn partly from a
/// coarse grid so ties, plateaus and equal-score flat-index order are exercised; boxes jitter
/// around their cells so overlaps are common. Iteration counts are small: the simulator is slow.
/// </summary>
public sealed class GpuEquivalenceTests
{
    public static TheoryData<string> Variants() =>
    [
        "nms", "nms(iou=0.6)", "nms(pretopk=7,keep=5)", "fast-nms", "fast-nms(keep=3)",
        "soft-nms-linear", "soft-nms-linear(keep=4,score=0.3)", "soft-nms-gaussian", "soft-nms-gaussian(sigma=0.3,keep=9)",
        "weighted-nms", "weighted-nms(iou=0.5,keep=6)",
        "peak3x3", "peak3x3+nms", "peak3x3+nms(keep=2)",
        "gc", "gc(k=0)", "gc(r=2,k=3)", "gc(emit=acc,score=0.05)", "gc+nms", "gc-mag+nms", "gc-mag+nms(mag=0.1,r=0)",
    ];

    /// <summary>A dense map of 1–3 levels (up to 9 × 9 cells, 1–3 anchors) built from a seed.</summary>
    internal static readonly Gen<CandidateMap> DenseMap =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[1, 3], Gen.Int, Gen.Int[0, 2])
           .Select(t => BuildMap(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6));

    internal static readonly Gen<CandidateMap[]> Batch = DenseMap.Array[1, 4];

    internal static CandidateMap BuildMap(int levels, int h, int w, int anchors, int seed, int scoreMode)
    {
        var rng = new Random(seed);
        var shapes = new (int, int, int, float)[levels];
        for (var l = 0; l < levels; l++)
        {
            // Finer levels first, like a detector's pyramid; the size varies by level.
            shapes[l] = (Math.Max(1, h >> l), Math.Max(1, w >> l), anchors, 8f * (1 << l));
        }
        var map = new CandidateMap(shapes);
        foreach (var level in map.Levels)
        {
            for (var y = 0; y < level.Height; y++)
            {
                for (var x = 0; x < level.Width; x++)
                {
                    for (var a = 0; a < level.Anchors; a++)
                    {
                        var s = level.Stride;
                        var cx = (x + 0.5f) * s + (float)(rng.NextDouble() - 0.5) * s;
                        var cy = (y + 0.5f) * s + (float)(rng.NextDouble() - 0.5) * s;
                        var half = s * (0.5f + (float)rng.NextDouble() * (1 + a));
                        var score = scoreMode switch
                        {
                            0 => rng.Next(11) / 10f, // coarse: ties and plateaus
                            1 => (float)rng.NextDouble(),
                            _ => rng.Next(3) == 0 ? (float)rng.NextDouble() : rng.Next(5) / 20f,
                        };
                        map.Set(level.FlatIndex(y, x, a), score, cx - half, cy - half, cx + half, cy + half);
                    }
                }
            }
        }
        return map;
    }

    public static TheoryData<VariantKind> Kinds()
    {
        var data = new TheoryData<VariantKind>();
        foreach (var kind in VariantRegistry.All) data.Add(kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gpu_batches_equal_the_scalar_oracle(string variantText)
    {
        var variant = VariantSpec.Parse(variantText);
        using var scalar = new ScalarBackend();
        Batch.Sample(maps => AssertBatchEquivalent(scalar, variant, maps), iter: 8, threads: 1);
    }

    /// <summary>The shared generators (every score and box mode, boundary parameters) on batches of 1–3 maps.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gpu_batches_with_random_parameters_equal_the_scalar_oracle(VariantKind kind)
    {
        using var scalar = new ScalarBackend();
        Gen.Select(DenseMapGen.Map.Array[1, 3], DenseMapGen.Variant(kind))
           .Sample((recipes, variant) =>
           {
               var maps = new CandidateMap[recipes.Length];
               for (var i = 0; i < maps.Length; i++) maps[i] = recipes[i].Build();
               AssertBatchEquivalent(scalar, variant, maps);
           }, iter: 6, threads: 1);
    }

    /// <summary>Batches mixing the real detectors' layouts (BlazeFace, face-api SSD with 3/6 anchors and 1×1 grids, Tiny 13×13×5).</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gpu_batches_of_detector_shaped_maps_equal_the_scalar_oracle(VariantKind kind)
    {
        using var scalar = new ScalarBackend();
        Gen.Select(DenseMapGen.DetectorMap.Array[1, 3], DenseMapGen.Variant(kind))
           .Sample((recipes, variant) =>
           {
               var maps = new CandidateMap[recipes.Length];
               for (var i = 0; i < maps.Length; i++) maps[i] = recipes[i].Build();
               AssertBatchEquivalent(scalar, variant, maps);
           }, iter: 3, threads: 1);
    }

    private static void AssertBatchEquivalent(ScalarBackend scalar, VariantSpec variant, CandidateMap[] maps)
    {
        var outputs = new DetectionList[maps.Length];
        for (var i = 0; i < outputs.Length; i++) outputs[i] = new DetectionList(4);
        using (var gpu = GpuTestBackend.Borrow()) gpu.RunBatch(maps, variant, outputs);
        for (var i = 0; i < maps.Length; i++)
        {
            var expected = new DetectionList();
            scalar.Run(maps[i], variant, expected);
            BackendEquivalence.AssertEquivalent(variant, expected, outputs[i]);
        }
    }

    [Theory]
    [InlineData(VariantKind.Nms)]
    [InlineData(VariantKind.FastNms)]
    [InlineData(VariantKind.SoftNmsLinear)]
    [InlineData(VariantKind.SoftNmsGaussian)]
    [InlineData(VariantKind.WeightedNms)]
    public void Gpu_flat_lists_equal_the_scalar_oracle(VariantKind kind)
    {
        using var scalar = new ScalarBackend();
        Gen.Select(DenseMapGen.FlatList, DenseMapGen.Variant(kind)).Sample((recipe, variant) =>
        {
            var flat = recipe.Build();
            var expected = new DetectionList();
            var actual = new DetectionList(2);
            scalar.Run(flat, variant, expected, flatInput: true);
            using (var gpu = GpuTestBackend.Borrow()) gpu.Run(flat, variant, actual, flatInput: true);
            BackendEquivalence.AssertEquivalent(variant, expected, actual);
        }, iter: 5, threads: 1);
    }

    [Fact]
    public void Many_images_in_one_batch_with_empty_ones_between()
    {
        var variant = VariantSpec.Parse("nms(iou=0.5)");
        using var scalar = new ScalarBackend();
        var maps = new CandidateMap[40];
        for (var i = 0; i < maps.Length; i++)
        {
            maps[i] = i % 7 == 3 ? new CandidateMap([(0, 0, 1, 8f)]) : BuildMap(2, 3 + i % 5, 4 + i % 3, 1 + i % 2, seed: i, scoreMode: i % 3);
        }
        var outputs = new DetectionList[maps.Length];
        for (var i = 0; i < outputs.Length; i++) outputs[i] = new DetectionList(1);
        using (var gpu = GpuTestBackend.Borrow()) gpu.RunBatch(maps, variant, outputs);
        for (var i = 0; i < maps.Length; i++)
        {
            var expected = new DetectionList();
            scalar.Run(maps[i], variant, expected);
            BackendEquivalence.AssertEquivalent(variant, expected, outputs[i]);
        }
    }
}

