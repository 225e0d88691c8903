using EvalHarness.Backends;
using EvalHarness.Backends.Gpu;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends.Gpu;

/// <summary>
/// The production path with ILGPU.Algorithms' device radix sort over the 64-bit (image, score,
/// flat) keys, on the CPU simulator. Kept to one batch per key layout because the simulated
/// radix sort is slow; the property tests cover the rest with the host sort of the same keys.
/// </summary>
public sealed class GpuRadixSortPathTests
{
    [Theory]
    [InlineData("nms")]
    [InlineData("gc+nms(k=1)")]
    [InlineData("gc")]
    [InlineData("nms(score=0.0,pretopk=9)")]
    public void Device_sorted_batches_equal_the_scalar_oracle(string variantText)
    {
        var variant = VariantSpec.Parse(variantText);
        CandidateMap[] maps =
        [
            GpuEquivalenceTests.BuildMap(levels: 2, h: 7, w: 9, anchors: 2, seed: 11, scoreMode: 0),
            GpuEquivalenceTests.BuildMap(levels: 1, h: 5, w: 4, anchors: 1, seed: 12, scoreMode: 1),
            GpuEquivalenceTests.BuildMap(levels: 3, h: 9, w: 6, anchors: 3, seed: 13, scoreMode: 2),
        ];
        var outputs = new DetectionList[maps.Length];
        for (var i = 0; i < outputs.Length; i++) outputs[i] = new DetectionList();
        // Under the shared gate (one simulator at a time on the CI's two cores) and its deadline.
        GpuTestBackend.Use(_ =>
        {
            using var gpu = GpuBackend.TryCreate(GpuAcceleratorKind.CpuSimulator, out var reason) ?? throw new InvalidOperationException(reason);
            Assert.False(gpu.SortKeysOnHost);
            gpu.RunBatch(maps, variant, outputs);
        });
        using var scalar = new ScalarBackend();
        for (var i = 0; i < maps.Length; i++)
        {
            var expected = new DetectionList();
            scalar.Run(maps[i], variant, expected);
            Assert.NotEqual(0, expected.Count);
            BackendEquivalence.AssertEquivalent(variant, expected, outputs[i]);
        }
    }
}
