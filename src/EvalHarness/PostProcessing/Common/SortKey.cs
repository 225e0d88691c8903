using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The spec's candidate order (<see cref="ScoreOrder"/>: score descending, then flat index
/// ascending) as one 64-bit key that sorts ascending: the high half is the complemented
/// order-preserving image of the score's bits, the low half the flat index. Sorting primitive keys
/// allocates nothing (a custom comparer would box), and a radix sort can use the same key. The
/// kernels build their keys (<c>KeyLayout</c>) from the same <see cref="ScoreDescending{TOps}"/>.
/// −0 is folded into +0 first, so equal scores always tie and fall to the flat index.
/// </summary>
internal static class SortKey
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(float score, int flatIndex) => ((ulong)ScoreDescending<CpuFloatOps>(score) << 32) | (uint)flatIndex;

    /// <summary>32 bits that sort ascending as the score sorts descending (any non-NaN float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ScoreDescending<TOps>(float score) where TOps : struct, IFloatOps
    {
        // A compare, not score + 0f: a compiler may fold x + 0 into x, which would keep −0's sign bit.
        var bits = score == 0f ? 0u : TOps.Bits(score);
        var ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ~ascending;
    }

    public static int FlatIndexOf(ulong key) => (int)(uint)key;
}
