namespace EvalHarness.PostProcessing;

/// <summary>
/// The output of one variant on one image: detections in output order. Each carries the flat
/// index of the candidate it came from (the spec's equivalence rule compares these), its score
/// and its box. The buffer is reused across images so steady-state post-processing allocates
/// nothing.
/// </summary>
public sealed class DetectionList
{
    private int[] _flatIndex;
    private float[] _score;
    private float[] _x1;
    private float[] _y1;
    private float[] _x2;
    private float[] _y2;

    public DetectionList(int capacity = 1024)
    {
        capacity = Math.Max(capacity, 1);
        _flatIndex = new int[capacity];
        _score = new float[capacity];
        _x1 = new float[capacity];
        _y1 = new float[capacity];
        _x2 = new float[capacity];
        _y2 = new float[capacity];
    }

    public int Count { get; private set; }

    public ReadOnlySpan<int> FlatIndex => _flatIndex.AsSpan(0, Count);
    public ReadOnlySpan<float> Score => _score.AsSpan(0, Count);
    public ReadOnlySpan<float> X1 => _x1.AsSpan(0, Count);
    public ReadOnlySpan<float> Y1 => _y1.AsSpan(0, Count);
    public ReadOnlySpan<float> X2 => _x2.AsSpan(0, Count);
    public ReadOnlySpan<float> Y2 => _y2.AsSpan(0, Count);

    public void Clear() => Count = 0;

    /// <summary>Grows the buffers once so a following run of <see cref="Add"/> calls cannot allocate.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (_flatIndex.Length >= capacity) return;
        var newCapacity = Math.Max(capacity, _flatIndex.Length * 2);
        Array.Resize(ref _flatIndex, newCapacity);
        Array.Resize(ref _score, newCapacity);
        Array.Resize(ref _x1, newCapacity);
        Array.Resize(ref _y1, newCapacity);
        Array.Resize(ref _x2, newCapacity);
        Array.Resize(ref _y2, newCapacity);
    }

    public void Add(int flatIndex, float score, float x1, float y1, float x2, float y2)
    {
        if (Count == _flatIndex.Length) EnsureCapacity(Count + 1);
        var i = Count++;
        _flatIndex[i] = flatIndex;
        _score[i] = score;
        _x1[i] = x1;
        _y1[i] = y1;
        _x2[i] = x2;
        _y2[i] = y2;
    }

    /// <summary>Adds the candidate's own box from the map.</summary>
    public void AddFromMap(CandidateMap map, int flatIndex, float score) =>
        Add(flatIndex, score, map.X1[flatIndex], map.Y1[flatIndex], map.X2[flatIndex], map.Y2[flatIndex]);

    public void CopyFrom(DetectionList other)
    {
        EnsureCapacity(other.Count);
        Count = other.Count;
        other.FlatIndex.CopyTo(_flatIndex);
        other.Score.CopyTo(_score);
        other.X1.CopyTo(_x1);
        other.Y1.CopyTo(_y1);
        other.X2.CopyTo(_x2);
        other.Y2.CopyTo(_y2);
    }
}
