using System.Numerics;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The entry of every NMS stage, vectorised: a compare-and-compact threshold pass that writes one
/// <see cref="SortKey"/> per survivor (low half = position in the source, which runs in flat-index
/// order), a stable LSD radix sort on the score half, and a gather of the first preTopK into a
/// <see cref="SortedCandidates"/>. Same order as <c>CandidateSelectionScalar</c>.
/// </summary>
internal static class CandidateSelectionSimd
{
    /// <summary>Below this many keys the radix sort's fixed histogram cost exceeds a comparison sort.</summary>
    private const int RadixMinimum = 256;

    public static void FromMap<TOps, TV>(CandidateMap map, float scoreThreshold, int preTopK, SortScratch scratch, SortedCandidates sorted)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        var n = map.Count;
        scratch.EnsureCapacity(n);
        var keys = scratch.Keys;
        var scores = map.Scores;
        ref var s0 = ref MemoryMarshal.GetArrayDataReference(scores);
        var tau = TOps.Splat(scoreThreshold);
        var count = 0;
        var i = 0;
        for (; i + TOps.Count <= n; i += TOps.Count)
        {
            var bits = TOps.Bits(TOps.GreaterThanOrEqual(TOps.Load(ref s0, i), tau));
            while (bits != 0)
            {
                var lane = i + BitOperations.TrailingZeroCount(bits);
                keys[count++] = SortKey.Of(scores[lane], lane);
                bits &= bits - 1;
            }
        }
        for (; i < n; i++)
        {
            if (scores[i] >= scoreThreshold) keys[count++] = SortKey.Of(scores[i], i);
        }

        Gather<TOps, TV>(sorted, Sort(scratch, count), Math.Min(count, preTopK), map.X1, map.Y1, map.X2, map.Y2, scores, flatIndex: default);
    }

    /// <summary>
    /// Takes the entries of <paramref name="emitted"/> with score ≥ <paramref name="scoreThreshold"/>;
    /// the list must be in flat-index order (grid variants emit so).
    /// </summary>
    public static void FromList<TOps, TV>(DetectionList emitted, float scoreThreshold, int preTopK, SortScratch scratch, SortedCandidates sorted)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        var n = emitted.Count;
        scratch.EnsureCapacity(n);
        var keys = scratch.Keys;
        var score = emitted.Score;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (score[i] >= scoreThreshold) keys[count++] = SortKey.Of(score[i], i);
        }

        Gather<TOps, TV>(sorted, Sort(scratch, count), Math.Min(count, preTopK), emitted.X1, emitted.Y1, emitted.X2, emitted.Y2, score, emitted.FlatIndex);
    }

    /// <summary>
    /// Copies the first <paramref name="take"/> sorted candidates into <paramref name="list"/> and computes their areas.
    /// Positions in the sort keys index the source arrays; <paramref name="flatIndex"/> maps them
    /// to flat indices (empty: the position is the flat index).
    /// </summary>
    private static void Gather<TOps, TV>(SortedCandidates list, ReadOnlySpan<ulong> sorted, int take,
        ReadOnlySpan<float> x1, ReadOnlySpan<float> y1, ReadOnlySpan<float> x2, ReadOnlySpan<float> y2,
        ReadOnlySpan<float> score, ReadOnlySpan<int> flatIndex)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        list.Reset(take);
        var (lx1, ly1, lx2, ly2, lscore, lflat) = (list.X1, list.Y1, list.X2, list.Y2, list.Score, list.Flat);
        for (var r = 0; r < take; r++)
        {
            var p = SortKey.FlatIndexOf(sorted[r]);
            lx1[r] = x1[p];
            ly1[r] = y1[p];
            lx2[r] = x2[p];
            ly2[r] = y2[p];
            lscore[r] = score[p];
            lflat[r] = flatIndex.IsEmpty ? p : flatIndex[p];
        }
        list.SetCount(take);
        Areas<TOps, TV>(list, take);
    }

    private static void Areas<TOps, TV>(SortedCandidates list, int take) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(list.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(list.Y1);
        ref var x2 = ref MemoryMarshal.GetArrayDataReference(list.X2);
        ref var y2 = ref MemoryMarshal.GetArrayDataReference(list.Y2);
        ref var area = ref MemoryMarshal.GetArrayDataReference(list.Area);
        // Whole vectors into the slack are harmless: areas past Count are never read as valid.
        for (var i = 0; i < take; i += TOps.Count)
        {
            TOps.Store(SimdMath.Area<TOps, TV>(TOps.Load(ref x1, i), TOps.Load(ref y1, i), TOps.Load(ref x2, i), TOps.Load(ref y2, i)), ref area, i);
        }
    }

    /// <summary>Sorts the first <paramref name="n"/> keys ascending; returns the span holding the result.</summary>
    internal static ReadOnlySpan<ulong> Sort(SortScratch scratch, int n)
    {
        var keys = scratch.Keys.AsSpan(0, n);
        if (n < RadixMinimum)
        {
            keys.Sort();
            return keys;
        }
        return RadixSortByScore(keys, scratch.KeysScratch.AsSpan(0, n), scratch.Histogram);
    }

    /// <summary>
    /// LSD radix sort on the key's high 32 bits (the score), 8 bits per pass. It is stable and the
    /// keys arrive in ascending position order, so equal scores stay in position order: the result
    /// equals a full sort of the 64-bit keys. Passes where every key has the same digit are skipped.
    /// </summary>
    internal static ReadOnlySpan<ulong> RadixSortByScore(Span<ulong> keys, Span<ulong> scratch, int[] histogram)
    {
        var n = keys.Length;
        if (n <= 1) return keys;
        Array.Clear(histogram);
        for (var i = 0; i < n; i++)
        {
            var h = (uint)(keys[i] >> 32);
            histogram[h & 0xFF]++;
            histogram[256 + ((h >> 8) & 0xFF)]++;
            histogram[512 + ((h >> 16) & 0xFF)]++;
            histogram[768 + (h >> 24)]++;
        }
        var src = keys;
        var dst = scratch;
        for (var pass = 0; pass < 4; pass++)
        {
            var shift = 32 + pass * 8;
            var counts = histogram.AsSpan(pass * 256, 256);
            if (counts[(int)((src[0] >> shift) & 0xFF)] == n) continue;
            var offset = 0;
            for (var d = 0; d < 256; d++)
            {
                var c = counts[d];
                counts[d] = offset;
                offset += c;
            }
            for (var i = 0; i < n; i++)
            {
                var key = src[i];
                dst[counts[(int)((key >> shift) & 0xFF)]++] = key;
            }
            var swap = src;
            src = dst;
            dst = swap;
        }
        return src;
    }
}
