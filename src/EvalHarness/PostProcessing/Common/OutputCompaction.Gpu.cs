using ILGPU;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Packs the batch's results for one download sized to what was kept: the variant kernels write
/// each image into a slot sized by its output cap, which is mostly empty after NMS, so copying
/// the slots back would move the caps rather than the detections.
/// </summary>
internal static class OutputCompactionKernels
{
    /// <summary>Ints per packed detection: flat index, then the bits of score, x1, y1, x2, y2.</summary>
    public const int Stride = 6;

    /// <summary>
    /// One thread: offsets[b] = kept detections of images before b, offsets[images] = all of them.
    /// A batch holds at most 65 535 images, so a sequential scan is a few microseconds and needs no
    /// second pass.
    /// </summary>
    public static void KeptOffsets(Index1D index, ArrayView<int> counts, int images, ArrayView<int> offsets)
    {
        if (index != 0) return;
        var total = 0;
        for (var b = 0; b < images; b++)
        {
            offsets[b] = total;
            total += counts[b];
        }
        offsets[images] = total;
    }

    /// <summary>Grid (detection, image): copies kept detection k of image b to packed record offsets[b] + k.</summary>
    public static void Compact(Index2D index, ArrayView<ImageSlot> slots, OutputViews output, ArrayView<int> offsets, ArrayView<int> packed)
    {
        var b = index.Y;
        var k = index.X;
        if (k >= output.Count[b]) return;
        var o = slots[b].OutOffset + k;
        var r = (long)(offsets[b] + k) * Stride;
        packed[r] = output.Flat[o];
        packed[r + 1] = (int)Interop.FloatAsInt(output.Score[o]);
        packed[r + 2] = (int)Interop.FloatAsInt(output.X1[o]);
        packed[r + 3] = (int)Interop.FloatAsInt(output.Y1[o]);
        packed[r + 4] = (int)Interop.FloatAsInt(output.X2[o]);
        packed[r + 5] = (int)Interop.FloatAsInt(output.Y2[o]);
    }
}
