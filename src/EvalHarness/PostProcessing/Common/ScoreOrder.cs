using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The spec's candidate order: score descending, then flat index ascending. Compares positions
/// of a score/flat-index pair of arrays (a struct comparer, so sorting allocates nothing).
/// </summary>
internal readonly struct ScoreOrder : IComparer<int>
{
    private readonly float[] _scores;
    private readonly int[] _flatIndex;

    public ScoreOrder(float[] scores, int[] flatIndex)
    {
        _scores = scores;
        _flatIndex = flatIndex;
    }

    public int Compare(int a, int b) => Compare(_scores[a], _flatIndex[a], _scores[b], _flatIndex[b]);

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
