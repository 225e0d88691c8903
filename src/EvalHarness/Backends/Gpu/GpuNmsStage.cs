using EvalHarness.PostProcessing;
using ILGPU;
using ILGPU.Runtime;

namespace EvalHarness.Backends.Gpu;

/// <summary>
/// A batch's NMS-stage entrants on the device: every image's entrants thresholded, sorted and
/// capped (<see cref="SortedViews"/> at each <see cref="ImageSlot"/>), the device twin of
/// <see cref="SortedCandidates"/>, with the sizes the launches need.
/// </summary>
internal readonly record struct GpuSortedBatch(
    ArrayView<ImageSlot> Slots, SortedViews Sorted, int Images, int MaxN, int MaxBlocks, int Entrants, int TotalBlocks, MaskBands Bands);

/// <summary>How the greedy-NMS mask of a batch is cut: row tiles per band, and the words one band takes.</summary>
internal readonly record struct MaskBands(int TilesPerBand, long Words, int Count)
{
    /// <summary>
    /// Bands so the mask fits <paramref name="budgetBytes"/>: the whole mask when it fits, else bands
    /// of at least one row tile (64 rows × ColBlocks words per image, which bounds the mask by 512
    /// bytes per entrant of the batch). Sets each slot's <see cref="ImageSlot.MaskOffset"/> to its
    /// place in a band.
    /// </summary>
    public static MaskBands Plan(Span<ImageSlot> slots, long budgetBytes)
    {
        long fullWords = 0, sumBlocks = 0;
        var maxBlocks = 0;
        foreach (ref readonly var slot in slots)
        {
            fullWords += (long)slot.N * slot.ColBlocks;
            sumBlocks += slot.ColBlocks;
            maxBlocks = Math.Max(maxBlocks, slot.ColBlocks);
        }
        var budgetWords = Math.Max(budgetBytes / sizeof(ulong), 1);
        var tilesPerBand = fullWords <= budgetWords
            ? Math.Max(maxBlocks, 1)
            : (int)Math.Clamp(budgetWords / Math.Max(NmsKernels.Tile * sumBlocks, 1), 1, Math.Max(maxBlocks, 1));
        long words = 0;
        foreach (ref var slot in slots)
        {
            slot.MaskOffset = words;
            words += (long)Math.Min(slot.N, tilesPerBand * NmsKernels.Tile) * slot.ColBlocks;
        }
        return new MaskBands(tilesPerBand, words, maxBlocks == 0 ? 1 : (maxBlocks + tilesPerBand - 1) / tilesPerBand);
    }
}

/// <summary>
/// The GPU backend's NMS-family dispatch, the same calls as the scalar and SIMD backends make
/// (entrants, parameters, output), each launching its family's kernels from
/// <c>PostProcessing/Nms/*.Gpu.cs</c> over the whole batch with this stage's device scratch.
/// </summary>
internal sealed class GpuNmsStage(GpuKernels kernels, GpuWorkspace ws, Accelerator accelerator, int groupSize)
{
    private AcceleratorStream Stream => accelerator.DefaultStream;

    private KernelConfig PerImage(in GpuSortedBatch batch) => new(new Index1D(batch.Images), new Index1D(groupSize));

    /// <summary>Greedy NMS band by band: the mask of one band of row tiles, then the keep pass over it.</summary>
    public void Greedy(in GpuSortedBatch batch, in NmsParameters p, OutputViews output)
    {
        var mask = ws.Mask.Ensure(accelerator, batch.Bands.Words);
        var removed = ws.Removed.Ensure(accelerator, batch.TotalBlocks);
        var bandStart = 0;
        do
        {
            var bandEnd = Math.Min(bandStart + batch.Bands.TilesPerBand, batch.MaxBlocks);
            if (batch.MaxN > 0)
            {
                var band = new KernelConfig(new Index3D(batch.MaxBlocks, bandEnd - bandStart, batch.Images), new Index3D(groupSize, 1, 1));
                kernels.Mask(Stream, band, batch.Slots, batch.Sorted, p, bandStart, mask);
            }
            kernels.Keep(Stream, PerImage(batch), batch.Slots, batch.Sorted, mask, removed, bandStart, bandEnd, output);
            bandStart = bandEnd;
        }
        while (bandStart < batch.MaxBlocks);
    }

    public void Fast(in GpuSortedBatch batch, in NmsParameters p, OutputViews output)
    {
        var suppressed = ws.State.Ensure(accelerator, batch.Entrants);
        suppressed.MemSetToZero(Stream);
        if (batch.MaxN > 0)
        {
            var tiles = new KernelConfig(new Index3D(batch.MaxBlocks, batch.MaxBlocks, batch.Images), new Index3D(groupSize, 1, 1));
            kernels.FastSuppress(Stream, tiles, batch.Slots, batch.Sorted, p, suppressed);
        }
        kernels.FastCompact(Stream, batch.Images, batch.Slots, batch.Sorted, suppressed, output);
    }

    public void SoftNms(in GpuSortedBatch batch, in NmsParameters p, bool gaussian, OutputViews output)
    {
        var work = ws.Work.Ensure(accelerator, batch.Entrants);
        var state = ws.State.Ensure(accelerator, batch.Entrants);
        var softNms = gaussian ? kernels.SoftNmsGaussian : kernels.SoftNmsLinear;
        softNms(Stream, PerImage(batch), batch.Slots, batch.Sorted, p, work, state, output);
    }

    public void Weighted(in GpuSortedBatch batch, in NmsParameters p, OutputViews output)
    {
        var state = ws.State.Ensure(accelerator, batch.Entrants);
        var members = ws.Members.Ensure(accelerator, batch.Entrants);
        kernels.WeightedNms(Stream, PerImage(batch), batch.Slots, batch.Sorted, p, state, members, output);
    }

    /// <summary>Grid variants without an NMS stage: the entrants leave as they are.</summary>
    public void EmitAll(in GpuSortedBatch batch, OutputViews output) =>
        kernels.EmitAll(Stream, new Index2D(Math.Max(batch.MaxN, 1), batch.Images), batch.Slots, batch.Sorted, output);
}
