
namespace EvalHarness.PostProcessing;

/// <summary>
/// Buffers of the SIMD backend, grown on demand and reused for every image (steady state allocates
/// nothing). Every array has <see cref="Slack"/> spare entries so a kernel may load a whole vector
/// at its last valid index; lanes past the end are masked, never trusted.
/// </summary>
internal sealed class SimdWorkspace
{
    /// <summary>Spare entries past the end of every array: one Vector512 of floats.</summary>
    public const int Slack = 16;

    public DetectionList Emitted { get; } = new();

    // Sort keys (SortKey layout, low half = position in the source) and the radix sort's buffers.
    public ulong[] Keys = [];
    public ulong[] KeysScratch = [];
    public readonly int[] Histogram = new int[4 * 256];

    // The candidate list of an NMS stage in score order, as structure-of-arrays.
    public int Count;
    public float[] X1 = [], Y1 = [], X2 = [], Y2 = [], Area = [], Score = [];
    public int[] Flat = [];

    // Boxes kept so far by greedy NMS.
    public float[] KeptX1 = [], KeptY1 = [], KeptX2 = [], KeptY2 = [], KeptArea = [];

    // One vector's worth of lanes spilled for per-lane work.
    public readonly float[] Lanes = new float[Slack];

    // Per-cell planes of the grid variants: S, a*, S̃, scratch.
    public float[] Cells = [], Accumulated = [], Scratch = [];
    public int[] ArgAnchor = [];

    public void EnsureKeyCapacity(int n)
    {
        if (Keys.Length >= n) return;
        Keys = new ulong[n];
        KeysScratch = new ulong[n];
    }

    public void EnsureListCapacity(int n)
    {
        if (X1.Length >= n + Slack) return;
        var size = n + Slack;
        X1 = new float[size]; Y1 = new float[size]; X2 = new float[size]; Y2 = new float[size];
        Area = new float[size]; Score = new float[size]; Flat = new int[size];
        KeptX1 = new float[size]; KeptY1 = new float[size]; KeptX2 = new float[size]; KeptY2 = new float[size];
        KeptArea = new float[size];
    }

    public void EnsureCellCapacity(int cells)
    {
        if (Cells.Length >= cells + Slack) return;
        var size = cells + Slack;
        Cells = new float[size]; Accumulated = new float[size]; Scratch = new float[size];
        ArgAnchor = new int[size];
    }
}
