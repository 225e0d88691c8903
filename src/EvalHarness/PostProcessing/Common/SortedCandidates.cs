namespace EvalHarness.PostProcessing;

/// <summary>
/// The entrants of an NMS stage, the one input shape of every NMS-family entry (scalar, SIMD; the
/// GPU's device twin is <c>SortedViews</c>): candidates with score ≥ τs, sorted by
/// <see cref="ScoreOrder"/>, the first preTopK, as structure-of-arrays with their
/// <see cref="BoxIou"/> areas. Arrays have <see cref="Slack"/> spare entries so a vector kernel may
/// load a whole vector at its last valid index (lanes past <see cref="Count"/> are masked, never
/// trusted). Owned by a backend's workspace and refilled for every image; the SIMD kernels consume
/// it (they overwrite scores of removed entries), the scalar oracle only reads it.
/// </summary>
internal sealed class SortedCandidates
{
    /// <summary>Spare entries past the end of every array: one Vector512 of floats.</summary>
    public const int Slack = 16;

    public int Count { get; private set; }

    public float[] X1 { get; private set; } = [];
    public float[] Y1 { get; private set; } = [];
    public float[] X2 { get; private set; } = [];
    public float[] Y2 { get; private set; } = [];
    public float[] Area { get; private set; } = [];
    public float[] Score { get; private set; } = [];
    public int[] Flat { get; private set; } = [];

    /// <summary>Empties the list and makes room for <paramref name="capacity"/> entries (plus slack).</summary>
    public void Reset(int capacity)
    {
        Count = 0;
        if (X1.Length >= capacity + Slack) return;
        var size = capacity + Slack;
        X1 = new float[size];
        Y1 = new float[size];
        X2 = new float[size];
        Y2 = new float[size];
        Area = new float[size];
        Score = new float[size];
        Flat = new int[size];
    }

    /// <summary>Appends an entry and its area (room was made by <see cref="Reset"/>).</summary>
    public void Add(int flat, float score, float x1, float y1, float x2, float y2)
    {
        var r = Count++;
        Flat[r] = flat;
        Score[r] = score;
        X1[r] = x1;
        Y1[r] = y1;
        X2[r] = x2;
        Y2[r] = y2;
        Area[r] = BoxIou.Area<CpuFloatOps>(x1, y1, x2, y2);
    }

    /// <summary>For writers that fill the arrays directly (the SIMD gather): the first <paramref name="count"/> entries are valid.</summary>
    public void SetCount(int count) => Count = count;
}

/// <summary>The parameters of an NMS stage, resolved once per run from the variant.</summary>
internal readonly record struct NmsParameters(float IouThreshold, float Sigma, float ScoreThreshold, int KeepTopK)
{
    public static NmsParameters Of(VariantSpec variant, int keepTopK)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return new NmsParameters(variant.IouThreshold, variant.Sigma, variant.ScoreThreshold, keepTopK);
    }
}

/// <summary>Sort buffers of the candidate selection: 64-bit keys (<see cref="SortKey"/>), positions and the radix sort's scratch.</summary>
internal sealed class SortScratch
{
    public ulong[] Keys { get; private set; } = [];
    public ulong[] KeysScratch { get; private set; } = [];
    public int[] Order { get; private set; } = [];
    public int[] Histogram { get; } = new int[4 * 256];

    public void EnsureCapacity(int n)
    {
        if (Keys.Length >= n) return;
        Keys = new ulong[n];
        KeysScratch = new ulong[n];
        Order = new int[n];
    }
}
