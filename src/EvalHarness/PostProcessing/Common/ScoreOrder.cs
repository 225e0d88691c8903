using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The spec's candidate order: score descending, then flat index ascending (sorting itself uses
/// <see cref="SortKey"/>, the same order as one primitive key).
/// </summary>
internal static class ScoreOrder
{
    /// <summary>Negative when (scoreA, flatA) comes first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(float scoreA, int flatA, float scoreB, int flatB)
    {
        if (scoreA > scoreB) return -1;
        if (scoreA < scoreB) return 1;
        return flatA.CompareTo(flatB);
    }

    /// <summary>Does (scoreA, flatA) come before (scoreB, flatB)?</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Precedes(float scoreA, int flatA, float scoreB, int flatB) =>
        scoreA > scoreB || (scoreA == scoreB && flatA < flatB);
}
