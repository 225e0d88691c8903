namespace EvalHarness.PostProcessing;

/// <summary>
/// Per-cell planes of one level for the grid variants (scalar and SIMD): S, a*, S̃ and a scratch
/// plane for the box filter, grown on demand with <see cref="SortedCandidates.Slack"/> spare
/// entries so a vector may load at the last cell.
/// </summary>
internal sealed class GridPlanes
{
    public float[] Cells { get; private set; } = [];
    public int[] ArgAnchor { get; private set; } = [];
    public float[] Accumulated { get; private set; } = [];
    public float[] Scratch { get; private set; } = [];

    public void EnsureCapacity(int cells)
    {
        if (Cells.Length >= cells + SortedCandidates.Slack) return;
        var size = cells + SortedCandidates.Slack;
        Cells = new float[size];
        ArgAnchor = new int[size];
        Accumulated = new float[size];
        Scratch = new float[size];
    }
}
