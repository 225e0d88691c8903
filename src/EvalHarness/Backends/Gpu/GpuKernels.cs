using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.RadixSortOperations;
using ILGPU.Runtime;
using EvalHarness.PostProcessing;

namespace EvalHarness.Backends.Gpu;

/// <summary>Every kernel of the backend, compiled and loaded once per accelerator and reused for every batch.</summary>
internal sealed class GpuKernels
{
    public readonly Action<AcceleratorStream, Index1D, CandidateViews, ArrayView<int>, int, float, KeyLayout, ArrayView<ulong>, ArrayView<int>, ArrayView<float>> Threshold;
    public readonly Action<AcceleratorStream, Index2D, ArrayView<ImageSlot>, KeyLayout, ArrayView<ulong>, CandidateViews, ArrayView<float>, SortedViews> Gather;
    public readonly Action<AcceleratorStream, Index2D, ArrayView<ImageSlot>, SortedViews, OutputViews> EmitAll;
    public readonly Action<AcceleratorStream, KernelConfig, ArrayView<ImageSlot>, SortedViews, NmsParameters, int, ArrayView<ulong>> Mask;
    public readonly Action<AcceleratorStream, KernelConfig, ArrayView<ImageSlot>, SortedViews, ArrayView<ulong>, ArrayView<ulong>, int, int, OutputViews> Keep;
    public readonly Action<AcceleratorStream, KernelConfig, ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<int>> FastSuppress;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<ImageSlot>, SortedViews, ArrayView<int>, OutputViews> FastCompact;
    public readonly Action<AcceleratorStream, KernelConfig, ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<float>, ArrayView<int>, OutputViews> SoftNmsLinear;
    public readonly Action<AcceleratorStream, KernelConfig, ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<float>, ArrayView<int>, OutputViews> SoftNmsGaussian;
    public readonly Action<AcceleratorStream, KernelConfig, ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<int>, ArrayView<int>, OutputViews> WeightedNms;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>> CellMax;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<int>, float, int, KeyLayout, ArrayView<ulong>, ArrayView<int>, int, ArrayView<float>> Peak;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, int> BoxHorizontal;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, int> BoxVertical;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, GcParameters, KeyLayout, ArrayView<ulong>, ArrayView<int>, int, ArrayView<float>> GcClassify;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<int>, int, ArrayView<int>> KeptOffsets;
    public readonly Action<AcceleratorStream, Index2D, ArrayView<ImageSlot>, OutputViews, ArrayView<int>, ArrayView<int>> Compact;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<ulong>, KeyLayout, ArrayView<TopKState>, int, ArrayView<int>> TopKHistogram;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<TopKState>, int, ArrayView<int>> TopKDigit;
    public readonly Action<AcceleratorStream, Index1D, ArrayView<ulong>, KeyLayout, ArrayView<TopKState>, ArrayView<int>, ArrayView<ulong>> TopKCompact;
    public readonly RadixSort<ulong, Stride1D.Dense> Sort;

    private readonly Accelerator _accelerator;

    /// <summary>
    /// Every kernel entry point with its grouping (explicitly grouped kernels take a KernelConfig),
    /// so the PTX compile test covers exactly what this class loads.
    /// </summary>
    internal static readonly IReadOnlyList<(Delegate Kernel, bool ExplicitlyGrouped)> EntryPoints =
    [
        ((Action<Index1D, CandidateViews, ArrayView<int>, int, float, KeyLayout, ArrayView<ulong>, ArrayView<int>, ArrayView<float>>)CandidateSelectionKernels.Threshold, false),
        ((Action<Index2D, ArrayView<ImageSlot>, KeyLayout, ArrayView<ulong>, CandidateViews, ArrayView<float>, SortedViews>)CandidateSelectionKernels.Gather, false),
        ((Action<Index2D, ArrayView<ImageSlot>, SortedViews, OutputViews>)CandidateSelectionKernels.EmitAll, false),
        ((Action<ArrayView<ImageSlot>, SortedViews, NmsParameters, int, ArrayView<ulong>>)NmsKernels.Mask, true),
        ((Action<ArrayView<ImageSlot>, SortedViews, ArrayView<ulong>, ArrayView<ulong>, int, int, OutputViews>)NmsKernels.Keep, true),
        ((Action<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<int>>)NmsKernels.FastSuppress, true),
        ((Action<Index1D, ArrayView<ImageSlot>, SortedViews, ArrayView<int>, OutputViews>)NmsKernels.FastCompact, false),
        ((Action<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<float>, ArrayView<int>, OutputViews>)SoftNmsKernels.SoftNms<LinearDecay>, true),
        ((Action<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<float>, ArrayView<int>, OutputViews>)SoftNmsKernels.SoftNms<GaussianDecay>, true),
        ((Action<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<int>, ArrayView<int>, OutputViews>)SoftNmsKernels.WeightedNms, true),
        ((Action<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>>)GridKernels.CellMax, false),
        ((Action<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<int>, float, int, KeyLayout, ArrayView<ulong>, ArrayView<int>, int, ArrayView<float>>)GridKernels.Peak, false),
        ((Action<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, int>)GradientClippingKernels.BoxHorizontal, false),
        ((Action<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, int>)GradientClippingKernels.BoxVertical, false),
        ((Action<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, GcParameters, KeyLayout, ArrayView<ulong>, ArrayView<int>, int, ArrayView<float>>)GradientClippingKernels.Classify, false),
        ((Action<Index1D, ArrayView<int>, int, ArrayView<int>>)OutputCompactionKernels.KeptOffsets, false),
        ((Action<Index2D, ArrayView<ImageSlot>, OutputViews, ArrayView<int>, ArrayView<int>>)OutputCompactionKernels.Compact, false),
        ((Action<Index1D, ArrayView<ulong>, KeyLayout, ArrayView<TopKState>, int, ArrayView<int>>)CandidateSelectionKernels.TopKHistogram, false),
        ((Action<Index1D, ArrayView<TopKState>, int, ArrayView<int>>)CandidateSelectionKernels.TopKDigit, false),
        ((Action<Index1D, ArrayView<ulong>, KeyLayout, ArrayView<TopKState>, ArrayView<int>, ArrayView<ulong>>)CandidateSelectionKernels.TopKCompact, false),
    ];

    public GpuKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        Threshold = accelerator.LoadAutoGroupedKernel<Index1D, CandidateViews, ArrayView<int>, int, float, KeyLayout, ArrayView<ulong>, ArrayView<int>, ArrayView<float>>(CandidateSelectionKernels.Threshold);
        Gather = accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<ImageSlot>, KeyLayout, ArrayView<ulong>, CandidateViews, ArrayView<float>, SortedViews>(CandidateSelectionKernels.Gather);
        EmitAll = accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<ImageSlot>, SortedViews, OutputViews>(CandidateSelectionKernels.EmitAll);
        Mask = accelerator.LoadKernel<ArrayView<ImageSlot>, SortedViews, NmsParameters, int, ArrayView<ulong>>(NmsKernels.Mask);
        Keep = accelerator.LoadKernel<ArrayView<ImageSlot>, SortedViews, ArrayView<ulong>, ArrayView<ulong>, int, int, OutputViews>(NmsKernels.Keep);
        FastSuppress = accelerator.LoadKernel<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<int>>(NmsKernels.FastSuppress);
        FastCompact = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<ImageSlot>, SortedViews, ArrayView<int>, OutputViews>(NmsKernels.FastCompact);
        SoftNmsLinear = accelerator.LoadKernel<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<float>, ArrayView<int>, OutputViews>(SoftNmsKernels.SoftNms<LinearDecay>);
        SoftNmsGaussian = accelerator.LoadKernel<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<float>, ArrayView<int>, OutputViews>(SoftNmsKernels.SoftNms<GaussianDecay>);
        WeightedNms = accelerator.LoadKernel<ArrayView<ImageSlot>, SortedViews, NmsParameters, ArrayView<int>, ArrayView<int>, OutputViews>(SoftNmsKernels.WeightedNms);
        CellMax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>>(GridKernels.CellMax);
        Peak = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<int>, float, int, KeyLayout, ArrayView<ulong>, ArrayView<int>, int, ArrayView<float>>(GridKernels.Peak);
        BoxHorizontal = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, int>(GradientClippingKernels.BoxHorizontal);
        BoxVertical = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, int>(GradientClippingKernels.BoxVertical);
        GcClassify = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<LevelSlot>, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, GcParameters, KeyLayout, ArrayView<ulong>, ArrayView<int>, int, ArrayView<float>>(GradientClippingKernels.Classify);
        KeptOffsets = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, int, ArrayView<int>>(OutputCompactionKernels.KeptOffsets);
        Compact = accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<ImageSlot>, OutputViews, ArrayView<int>, ArrayView<int>>(OutputCompactionKernels.Compact);
        TopKHistogram = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<ulong>, KeyLayout, ArrayView<TopKState>, int, ArrayView<int>>(CandidateSelectionKernels.TopKHistogram);
        TopKDigit = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<TopKState>, int, ArrayView<int>>(CandidateSelectionKernels.TopKDigit);
        TopKCompact = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<ulong>, KeyLayout, ArrayView<TopKState>, ArrayView<int>, ArrayView<ulong>>(CandidateSelectionKernels.TopKCompact);
        Sort = accelerator.CreateRadixSort<ulong, Stride1D.Dense, AscendingUInt64>();
    }

    public long SortTempSize(int length) => _accelerator.ComputeRadixSortTempStorageSize<ulong, AscendingUInt64>(length);
}
