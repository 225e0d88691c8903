using ILGPU;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The entry of every NMS stage on the device: the score filter writes one sort key per passing
/// candidate (order does not matter, a radix sort follows), then the first preTopK keys of each
/// image are gathered into packed score-ordered arrays.
/// </summary>
internal static class CandidateSelectionKernels
{
    /// <summary>Index of the segment holding <paramref name="g"/>: the last i with offsets[i] ≤ g (offsets ascending, offsets[0] = 0).</summary>
    public static int FindSegment(ArrayView<int> offsets, int count, int g)
    {
        int lo = 0, hi = count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (offsets[mid] <= g) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>Score filter: candidates with score ≥ τs get a key; NaN never passes, as in the oracle.</summary>
    public static void Threshold(
        Index1D g, CandidateViews candidates, ArrayView<int> imageOffsets, int images, float threshold,
        KeyLayout layout, ArrayView<ulong> keys, ArrayView<int> counters, ArrayView<float> emitScore)
    {
        var s = candidates.Score[g];
        if (!(s >= threshold)) return;
        var image = FindSegment(imageOffsets, images, g);
        emitScore[g] = s;
        var slot = Atomic.Add(ref counters[images], 1);
        Atomic.Add(ref counters[image], 1);
        keys[slot] = layout.ScoreKey(image, s, g - imageOffsets[image]);
    }

    /// <summary>Packs the first <see cref="ImageSlot.N"/> sorted keys of each image with their boxes and emitted scores.</summary>
    public static void Gather(
        Index2D index, ArrayView<ImageSlot> slots, KeyLayout layout, ArrayView<ulong> keys,
        CandidateViews candidates, ArrayView<float> emitScore, SortedViews sorted)
    {
        var slot = slots[index.Y];
        var j = index.X;
        if (j >= slot.N) return;
        var flat = layout.Flat(keys[slot.SegStart + j]);
        var g = slot.CandOffset + flat;
        var p = slot.Packed + j;
        sorted.Flat[p] = flat;
        sorted.Score[p] = emitScore[g];
        sorted.X1[p] = candidates.X1[g];
        sorted.Y1[p] = candidates.Y1[g];
        sorted.X2[p] = candidates.X2[g];
        sorted.Y2[p] = candidates.Y2[g];
    }

    /// <summary>Copies packed entrants to the output unchanged (grid variants without an NMS stage).</summary>
    public static void EmitAll(Index2D index, ArrayView<ImageSlot> slots, SortedViews sorted, OutputViews output)
    {
        var slot = slots[index.Y];
        var j = index.X;
        if (j == 0) output.Count[index.Y] = slot.N;
        if (j >= slot.N) return;
        NmsKernels.Emit(sorted, slot.Packed + j, slot.OutOffset + j, output);
    }
}
