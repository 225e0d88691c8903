using ILGPU;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The entry of every NMS stage on the device: the score filter writes one sort key per passing
/// candidate (order does not matter, a radix sort follows); an image with more than preTopK keys
/// is cut to its preTopK best by a radix select, so the sort covers only keys that can enter the
/// stage; then each image's keys are gathered into packed score-ordered arrays.
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

    /// <summary>Radix-select digit width: 256 bins per image and pass.</summary>
    public const int DigitBits = 8;
    public const int Bins = 1 << DigitBits;

    /// <summary>
    /// One pass of the per-image top-k radix select: every key of a cut image whose rank agrees
    /// with the image's prefix above <paramref name="shift"/> + 8 counts into its bin of the digit
    /// at <paramref name="shift"/>.
    /// </summary>
    public static void TopKHistogram(Index1D g, ArrayView<ulong> keys, KeyLayout layout, ArrayView<TopKState> state, int shift, ArrayView<int> histogram)
    {
        var key = keys[g];
        var image = layout.Image(key);
        var s = state[image];
        if (s.Active == 0) return;
        var rank = layout.Rank(key);
        if (((rank ^ s.Prefix) & HigherDigits(shift)) != 0) return;
        var digit = (int)((rank >> shift) & (Bins - 1));
        Atomic.Add(ref histogram[(image * Bins) + digit], 1);
    }

    /// <summary>
    /// One thread per image: the bin that holds the image's <see cref="TopKState.Remaining"/>-th
    /// smallest rank becomes the next prefix digit; the histogram is cleared for the next pass.
    /// </summary>
    public static void TopKDigit(Index1D image, ArrayView<TopKState> state, int shift, ArrayView<int> histogram)
    {
        var s = state[image];
        if (s.Active == 0) return;
        var below = 0;
        var chosen = -1;
        for (var d = 0; d < Bins; d++)
        {
            var h = histogram[(image * Bins) + d];
            histogram[(image * Bins) + d] = 0;
            if (chosen >= 0) continue;
            if (below + h >= s.Remaining)
            {
                chosen = d;
                continue;
            }
            below += h;
        }
        s.Remaining -= below;
        s.Prefix |= (ulong)chosen << shift;
        state[image] = s;
    }

    /// <summary>
    /// Keeps the keys that can enter the NMS stage: every key of an image that is not cut, and the
    /// k smallest ranks (rank ≤ the selected k-th) of one that is; the survivors are appended in
    /// any order, a sort follows.
    /// </summary>
    public static void TopKCompact(Index1D g, ArrayView<ulong> keys, KeyLayout layout, ArrayView<TopKState> state, ArrayView<int> counter, ArrayView<ulong> selected)
    {
        var key = keys[g];
        var s = state[layout.Image(key)];
        if (s.Active != 0 && layout.Rank(key) > s.Prefix) return;
        selected[Atomic.Add(ref counter[0], 1)] = key;
    }

    /// <summary>Mask of the rank bits above the digit at <paramref name="shift"/> (0 for the top digit: nothing is fixed yet above it).</summary>
    private static ulong HigherDigits(int shift) => shift + DigitBits >= 64 ? 0UL : ~((1UL << (shift + DigitBits)) - 1UL);
}
