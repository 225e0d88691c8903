namespace EvalHarness.PostProcessing;

/// <summary>
/// One level of a dense candidate map: an <c>H × W</c> grid with <c>A</c> anchors per cell.
/// <see cref="Offset"/> is the flat index of the level's first candidate (levels are laid out
/// level-major, then y, then x, then anchor, as the spec fixes).
/// </summary>
public readonly record struct LevelShape(int Height, int Width, int Anchors, float Stride, int Offset)
{
    public int Cells => Height * Width;
    public int Count => Height * Width * Anchors;

    public int FlatIndex(int y, int x, int a) => Offset + ((y * Width) + x) * Anchors + a;
}

/// <summary>
/// The dense candidate map of one image (spec: "The dense candidate map"). Scores and boxes are
/// kept as structure-of-arrays so the SIMD and GPU backends read them without reshuffling.
/// Arrays may be longer than <see cref="Count"/> (reused buffers); only the first
/// <see cref="Count"/> entries are meaningful.
/// </summary>
public sealed class CandidateMap
{
    public string Event { get; set; } = "";
    public string ImageKey { get; set; } = "";
    public int ImageWidth { get; set; }
    public int ImageHeight { get; set; }

    public LevelShape[] Levels { get; private set; } = [];
    public int Count { get; private set; }

    public float[] Scores { get; private set; } = [];
    public float[] X1 { get; private set; } = [];
    public float[] Y1 { get; private set; } = [];
    public float[] X2 { get; private set; } = [];
    public float[] Y2 { get; private set; } = [];

    /// <summary>Keypoints per candidate (0 when none ride along); stored as <c>[Count, KeypointCount, 2]</c>.</summary>
    public int KeypointCount { get; private set; }
    public float[] Keypoints { get; private set; } = [];

    public CandidateMap() { }

    /// <summary>Creates a map with the given level grids (offsets are computed) and zeroed candidates.</summary>
    public CandidateMap(ReadOnlySpan<(int Height, int Width, int Anchors, float Stride)> levels, int keypointCount = 0)
    {
        Reset(levels, keypointCount);
    }

    /// <summary>A flat list of candidates as one 1 × N level with one anchor (the <c>postprocess</c> verb's input).</summary>
    public static CandidateMap FromFlatList(int count)
    {
        var map = new CandidateMap();
        map.Reset([(1, count, 1, 1f)]);
        return map;
    }

    /// <summary>Reshapes the map for a new image, reusing the arrays when they are large enough.</summary>
    public void Reset(ReadOnlySpan<(int Height, int Width, int Anchors, float Stride)> levels, int keypointCount = 0)
    {
        if (Levels.Length != levels.Length) Levels = new LevelShape[levels.Length];
        var offset = 0;
        for (var i = 0; i < levels.Length; i++)
        {
            var (h, w, a, s) = levels[i];
            if (h < 0 || w < 0 || a < 0) throw new ArgumentOutOfRangeException(nameof(levels), $"level {i} has a negative size {h}x{w}x{a}");
            Levels[i] = new LevelShape(h, w, a, s, offset);
            offset = checked(offset + (h * w * a));
        }
        Count = offset;
        KeypointCount = keypointCount;
        EnsureCapacity(offset, keypointCount);
        Array.Clear(Scores, 0, offset);
        Array.Clear(X1, 0, offset);
        Array.Clear(Y1, 0, offset);
        Array.Clear(X2, 0, offset);
        Array.Clear(Y2, 0, offset);
        if (keypointCount > 0) Array.Clear(Keypoints, 0, offset * keypointCount * 2);
    }

    private void EnsureCapacity(int count, int keypointCount)
    {
        if (Scores.Length < count)
        {
            Scores = new float[count];
            X1 = new float[count];
            Y1 = new float[count];
            X2 = new float[count];
            Y2 = new float[count];
        }
        var keypointFloats = count * keypointCount * 2;
        if (Keypoints.Length < keypointFloats) Keypoints = new float[keypointFloats];
    }

    public void Set(int flatIndex, float score, float x1, float y1, float x2, float y2)
    {
        Scores[flatIndex] = score;
        X1[flatIndex] = x1;
        Y1[flatIndex] = y1;
        X2[flatIndex] = x2;
        Y2[flatIndex] = y2;
    }

    public Span<float> ScoreSpan => Scores.AsSpan(0, Count);
    public Span<float> X1Span => X1.AsSpan(0, Count);
    public Span<float> Y1Span => Y1.AsSpan(0, Count);
    public Span<float> X2Span => X2.AsSpan(0, Count);
    public Span<float> Y2Span => Y2.AsSpan(0, Count);

    /// <summary>A deep copy trimmed to <see cref="Count"/> (for caching and for tests that mutate inputs).</summary>
    public CandidateMap Clone()
    {
        var copy = new CandidateMap
        {
            Event = Event,
            ImageKey = ImageKey,
            ImageWidth = ImageWidth,
            ImageHeight = ImageHeight,
            Levels = (LevelShape[])Levels.Clone(),
            Count = Count,
            KeypointCount = KeypointCount,
            Scores = Scores.AsSpan(0, Count).ToArray(),
            X1 = X1.AsSpan(0, Count).ToArray(),
            Y1 = Y1.AsSpan(0, Count).ToArray(),
            X2 = X2.AsSpan(0, Count).ToArray(),
            Y2 = Y2.AsSpan(0, Count).ToArray(),
            Keypoints = Keypoints.AsSpan(0, Count * KeypointCount * 2).ToArray(),
        };
        return copy;
    }
}
