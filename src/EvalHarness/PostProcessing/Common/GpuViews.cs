using ILGPU;

namespace EvalHarness.PostProcessing;

/// <summary>The candidates of every image of a batch, concatenated (image-major, each image in flat order).</summary>
internal struct CandidateViews
{
    public ArrayView<float> Score;
    public ArrayView<float> X1;
    public ArrayView<float> Y1;
    public ArrayView<float> X2;
    public ArrayView<float> Y2;
}

/// <summary>Per-image entrants of the NMS stage in score order, packed image after image (<see cref="ImageSlot.Packed"/>).</summary>
internal struct SortedViews
{
    public ArrayView<int> Flat;
    public ArrayView<float> Score;
    public ArrayView<float> X1;
    public ArrayView<float> Y1;
    public ArrayView<float> X2;
    public ArrayView<float> Y2;
}

/// <summary>Per-image results at <see cref="ImageSlot.OutOffset"/>, <see cref="Count"/> of them per image.</summary>
internal struct OutputViews
{
    public ArrayView<int> Flat;
    public ArrayView<float> Score;
    public ArrayView<float> X1;
    public ArrayView<float> Y1;
    public ArrayView<float> X2;
    public ArrayView<float> Y2;
    public ArrayView<int> Count;
}

/// <summary>
/// Where one image's data lives in the batch buffers. Ragged batches need these offsets because
/// every image has its own candidate count, entrant count and output cap.
/// </summary>
internal struct ImageSlot
{
    /// <summary>Global index of the image's first candidate.</summary>
    public int CandOffset;
    /// <summary>First sorted key of the image.</summary>
    public int SegStart;
    /// <summary>Entrants of the NMS stage (after preTopK), or all emitted detections without one.</summary>
    public int N;
    /// <summary>First packed slot (<see cref="SortedViews"/>).</summary>
    public int Packed;
    /// <summary>64-bit mask words per row: ceil(N / 64).</summary>
    public int ColBlocks;
    public int OutOffset;
    /// <summary>At most this many detections leave (keepTopK).</summary>
    public int OutCap;
    public int RemovedOffset;
    public long MaskOffset;
}

/// <summary>One level of one image of a batch, for the per-cell grid kernels.</summary>
internal struct LevelSlot
{
    public int Image;
    public int Height;
    public int Width;
    public int Anchors;
    /// <summary>Global candidate index of the level's first candidate.</summary>
    public int CandBase;
    /// <summary>Global cell index of the level's first cell.</summary>
    public int CellBase;
    /// <summary>The level's <see cref="PostProcessing.LevelShape.Offset"/> inside its image.</summary>
    public int FlatOffset;
}

/// <summary>How the 64-bit sort keys are laid out: <c>image | score (descending) | flat index</c>.</summary>
internal readonly struct KeyLayout
{
    public readonly int IndexBits;
    public readonly ulong IndexMask;

    public KeyLayout(int indexBits)
    {
        IndexBits = indexBits;
        IndexMask = (1UL << indexBits) - 1;
    }

    /// <summary>Key sorting by image, then score descending, then flat index ascending (the spec's order).</summary>
    public ulong ScoreKey(int image, float score, int flat) =>
        ((ulong)image << (32 + IndexBits)) | ((ulong)SortKey.ScoreDescending<CudaFloatOps>(score) << IndexBits) | (uint)flat;

    /// <summary>Key sorting by image, then flat index (the grid variants' emission order).</summary>
    public ulong FlatKey(int image, int flat) => ((ulong)image << (32 + IndexBits)) | (uint)flat;

    public int Flat(ulong key) => (int)(key & IndexMask);

    /// <summary>Bits below the image field: score and flat index, the part that orders keys inside one image.</summary>
    public int RankBits => 32 + IndexBits;

    public int Image(ulong key) => (int)(key >> RankBits);

    /// <summary>The score-and-flat part of a key; within one image, smaller ranks come first.</summary>
    public ulong Rank(ulong key) => key & ((1UL << RankBits) - 1);
}

/// <summary>
/// One image's state in the device top-k selection: the rank digits fixed so far and how many of
/// the k entrants are still to be found below them. After the last digit, <see cref="Prefix"/> is
/// the rank of the k-th entrant (ranks are unique: they end in the flat index).
/// </summary>
internal struct TopKState
{
    public ulong Prefix;
    public int Remaining;
    /// <summary>1 when the image has more keys than k and must be cut; 0 keeps all its keys.</summary>
    public int Active;
}
