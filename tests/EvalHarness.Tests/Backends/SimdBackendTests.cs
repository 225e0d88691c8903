using CsCheck;
using EvalHarness.Backends;
using EvalHarness.PostProcessing;
using EvalHarness.Tests.PostProcessing;

namespace EvalHarness.Tests.Backends;

public sealed class SimdBackend128ConformanceTests : VariantConformanceTests
{
    protected override IPostProcessingBackend CreateBackend() => new SimdBackend(SimdWidth.Bits128);
}

public sealed class SimdBackend256ConformanceTests : VariantConformanceTests
{
    protected override IPostProcessingBackend CreateBackend() => new SimdBackend(SimdWidth.Bits256);
}

public sealed class SimdBackend512ConformanceTests : VariantConformanceTests
{
    protected override IPostProcessingBackend CreateBackend() => new SimdBackend(SimdWidth.Bits512);
}

/// <summary>The SIMD backend against the scalar oracle on generated maps, at every forced width.</summary>
public class SimdEquivalenceTests
{
    public static TheoryData<int, VariantKind> WidthsAndKinds()
    {
        var data = new TheoryData<int, VariantKind>();
        foreach (var width in new[] { 128, 256, 512 })
        {
            foreach (var kind in VariantRegistry.All) data.Add(width, kind);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndKinds))]
    public void Simd_equals_scalar_on_random_dense_maps(int width, VariantKind kind)
    {
        using var scalar = new ScalarBackend();
        using var simd = new SimdBackend((SimdWidth)width);
        var expected = new DetectionList();
        var actual = new DetectionList();
        Gen.Select(DenseMapGen.Map, DenseMapGen.Variant(kind)).Sample((recipe, spec) =>
        {
            var map = recipe.Build();
            scalar.Run(map, spec, expected);
            simd.Run(map, spec, actual);
            BackendEquivalence.AssertEquivalent(spec, expected, actual);
            BackendEquivalence.AssertIdentical(spec, expected, actual);
        }, iter: 150, threads: 1, print: t => $"{t.Item1} {t.Item2}");
    }

    [Theory]
    [MemberData(nameof(WidthsAndKinds))]
    public void Simd_equals_scalar_on_detector_shaped_maps(int width, VariantKind kind)
    {
        // BlazeFace, face-api SSD (3 vs 6 anchors per cell, 2×2 and 1×1 grids) and Tiny (13×13×5) layouts
        using var scalar = new ScalarBackend();
        using var simd = new SimdBackend((SimdWidth)width);
        var expected = new DetectionList();
        var actual = new DetectionList();
        Gen.Select(DenseMapGen.DetectorMap, DenseMapGen.Variant(kind)).Sample((recipe, spec) =>
        {
            var map = recipe.Build();
            scalar.Run(map, spec, expected);
            simd.Run(map, spec, actual);
            BackendEquivalence.AssertEquivalent(spec, expected, actual);
            BackendEquivalence.AssertIdentical(spec, expected, actual);
        }, iter: 8, threads: 1, print: t => $"{t.Item1} {t.Item2}");
    }

    [Theory]
    [MemberData(nameof(WidthsAndKinds))]
    public void Simd_equals_scalar_on_flat_lists(int width, VariantKind kind)
    {
        using var scalar = new ScalarBackend();
        using var simd = new SimdBackend((SimdWidth)width);
        var expected = new DetectionList();
        var actual = new DetectionList();
        Gen.Select(DenseMapGen.FlatList, DenseMapGen.Variant(kind)).Sample((recipe, spec) =>
        {
            var map = recipe.Build();
            scalar.Run(map, spec, expected, flatInput: true);
            simd.Run(map, spec, actual, flatInput: true);
            BackendEquivalence.AssertIdentical(spec, expected, actual);
        }, iter: 40, threads: 1, print: t => $"{t.Item1} {t.Item2}");
    }

    public static TheoryData<VariantKind> Kinds()
    {
        var data = new TheoryData<VariantKind>();
        foreach (var kind in VariantRegistry.All) data.Add(kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Simd_equals_scalar_on_64k_candidate_maps_with_default_parameters(VariantKind kind)
    {
        using var scalar = new ScalarBackend();
        var simd = new[] { new SimdBackend(SimdWidth.Bits128), new SimdBackend(SimdWidth.Bits256), new SimdBackend(SimdWidth.Bits512) };
        var spec = VariantSpec.Default(kind);
        var expected = new DetectionList();
        var actual = new DetectionList();
        DenseMapGen.LargeMap.Sample(recipe =>
        {
            Assert.True(recipe.Count >= 65536);
            var map = recipe.Build();
            scalar.Run(map, spec, expected);
            foreach (var backend in simd)
            {
                backend.Run(map, spec, actual);
                BackendEquivalence.AssertIdentical(spec, expected, actual);
            }
        }, iter: 3, threads: 1);
        foreach (var backend in simd) backend.Dispose();
    }

    [Fact]
    public void Forced_widths_are_the_ones_that_run()
    {
        Assert.Equal(SimdWidth.Bits128, new SimdBackend(SimdWidth.Bits128).Width);
        Assert.Equal(SimdWidth.Bits256, new SimdBackend(SimdWidth.Bits256).Width);
        Assert.Equal(SimdWidth.Bits512, new SimdBackend(SimdWidth.Bits512).Width);
        Assert.NotEqual(SimdWidth.Auto, new SimdBackend().Width);
        Assert.Contains("Vector", new SimdBackend().Device);
    }

    [Fact]
    public void Radix_sort_equals_a_comparison_sort_of_the_keys()
    {
        Gen.Select(Gen.Int[0, 3000], Gen.Int, Gen.Bool).Sample((n, seed, fewValues) =>
        {
            var rng = new Random(seed);
            var keys = new ulong[n];
            for (var i = 0; i < n; i++)
            {
                var score = fewValues ? rng.Next(4) * 0.25f : (float)rng.NextDouble();
                keys[i] = SortKey.Of(rng.Next(50) == 0 ? -0f : score, i);
            }
            var expected = (ulong[])keys.Clone();
            Array.Sort(expected);
            var actual = CandidateSelectionSimd.RadixSortByScore(keys, new ulong[n], new int[1024]).ToArray();
            Assert.Equal(expected, actual);
        }, iter: 60, threads: 1);
    }
}
