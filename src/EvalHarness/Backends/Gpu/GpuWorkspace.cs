using EvalHarness.PostProcessing;
using ILGPU;
using ILGPU.Runtime;

namespace EvalHarness.Backends.Gpu;

/// <summary>
/// A page-locked host staging array with its device twin; both only grow. Page-locked memory lets
/// the driver copy by DMA without an extra bounce through a pinned buffer, and lets uploads run
/// asynchronously on the stream: the host must not rewrite the staging array until the stream
/// has passed the copy, which holds because every batch ends with a synchronising download.
/// </summary>
internal sealed class StagedArray<T> : IDisposable where T : unmanaged
{
    private readonly DeviceArray<T> _device = new();
    private PageLockedArray1D<T>? _staging;

    /// <summary>The host staging elements (valid after <see cref="EnsureHost"/>; empty before).</summary>
    public Span<T> Host => _staging is null ? Span<T>.Empty : _staging.Span;

    public ArrayView1D<T, Stride1D.Dense> View { get; private set; }

    public Span<T> EnsureHost(Accelerator accelerator, int length)
    {
        if (_staging is null || _staging.Length < length)
        {
            var capacity = Math.Max(Math.Max(length, 1), (int)(_staging?.Length ?? 0) * 3 / 2);
            _staging?.Dispose();
            _staging = accelerator.AllocatePageLocked1D<T>(capacity);
        }
        return _staging.Span;
    }

    public ArrayView1D<T, Stride1D.Dense> Ensure(Accelerator accelerator, long length) => View = _device.Ensure(accelerator, length);

    /// <summary>Queues the copy of the first <paramref name="length"/> staged elements to the device.</summary>
    public ArrayView1D<T, Stride1D.Dense> Upload(Accelerator accelerator, AcceleratorStream stream, int length)
    {
        var view = Ensure(accelerator, length);
        if (length > 0) _staging!.ArrayView.AsDense().SubView(0, length).CopyTo(stream, view.SubView(0, length));
        return view;
    }

    /// <summary>Copies the first <paramref name="length"/> device elements into the staging array and waits for them.</summary>
    public ReadOnlySpan<T> Download(Accelerator accelerator, AcceleratorStream stream, int length)
    {
        EnsureHost(accelerator, length);
        if (length > 0) View.SubView(0, length).CopyTo(stream, _staging!.ArrayView.AsDense().SubView(0, length));
        stream.Synchronize();
        return _staging!.Span[..length];
    }

    public void Dispose()
    {
        _device.Dispose();
        _staging?.Dispose();
        _staging = null;
    }
}

/// <summary>Every buffer of the GPU backend, reused across batches.</summary>
internal sealed class GpuWorkspace : IDisposable
{
    /// <summary>Score, x1, y1, x2, y2 of every candidate of the batch, one section each, so the batch uploads in one copy.</summary>
    public readonly StagedArray<float> Candidates = new();
    public readonly StagedArray<int> ImageOffsets = new();
    public readonly StagedArray<int> Counters = new();
    public readonly StagedArray<ImageSlot> Slots = new();
    public readonly StagedArray<LevelSlot> Levels = new();

    /// <summary>Per image, where its kept detections start in <see cref="Packed"/> (and the total last).</summary>
    public readonly StagedArray<int> KeptOffsets = new();

    /// <summary>The kept detections of the batch, six ints each (flat index, then the float bits of score, x1, y1, x2, y2).</summary>
    public readonly StagedArray<int> Packed = new();

    public readonly DeviceArray<ulong> Keys = new();
    public readonly StagedArray<TopKState> TopKState = new();
    public readonly DeviceArray<int> TopKHistogram = new();
    public readonly DeviceArray<int> TopKCounter = new();
    public readonly DeviceArray<ulong> SelectedKeys = new();
    public ulong[] HostKeys = [];
    public readonly DeviceArray<float> EmitScore = new();
    public readonly DeviceArray<int> SortTemp = new();
    public readonly DeviceArray<ulong> Mask = new();
    public readonly DeviceArray<ulong> Removed = new();
    public readonly DeviceArray<int> State = new();
    public readonly DeviceArray<int> Members = new();
    public readonly DeviceArray<float> Work = new();
    public readonly DeviceArray<float> Cells = new();
    public readonly DeviceArray<int> ArgAnchor = new();
    public readonly DeviceArray<float> Accumulated = new();
    public readonly DeviceArray<float> Scratch = new();

    private readonly DeviceArray<int> _sortedFlat = new();
    private readonly DeviceArray<float> _sortedScore = new();
    private readonly DeviceArray<float> _sortedX1 = new();
    private readonly DeviceArray<float> _sortedY1 = new();
    private readonly DeviceArray<float> _sortedX2 = new();
    private readonly DeviceArray<float> _sortedY2 = new();

    private readonly DeviceArray<int> _outFlat = new();
    private readonly DeviceArray<float> _outScore = new();
    private readonly DeviceArray<float> _outX1 = new();
    private readonly DeviceArray<float> _outY1 = new();
    private readonly DeviceArray<float> _outX2 = new();
    private readonly DeviceArray<float> _outY2 = new();
    private readonly DeviceArray<int> _outCount = new();

    public CandidateViews UploadCandidates(Accelerator accelerator, AcceleratorStream stream, IReadOnlyList<CandidateMap> maps, int first, int images, int total)
    {
        // Each section keeps at least one element so an empty batch still gets valid views.
        var section = Math.Max(total, 1);
        var staged = Candidates.EnsureHost(accelerator, 5 * section);
        var offset = 0;
        for (var b = 0; b < images; b++)
        {
            var map = maps[first + b];
            map.ScoreSpan.CopyTo(staged[offset..]);
            map.X1Span.CopyTo(staged[(section + offset)..]);
            map.Y1Span.CopyTo(staged[((2 * section) + offset)..]);
            map.X2Span.CopyTo(staged[((3 * section) + offset)..]);
            map.Y2Span.CopyTo(staged[((4 * section) + offset)..]);
            offset += map.Count;
        }
        var all = Candidates.Upload(accelerator, stream, 5 * section);
        return new CandidateViews
        {
            Score = all.SubView(0, section),
            X1 = all.SubView(section, section),
            Y1 = all.SubView(2L * section, section),
            X2 = all.SubView(3L * section, section),
            Y2 = all.SubView(4L * section, section),
        };
    }

    public SortedViews EnsureSorted(Accelerator accelerator, int length) => new()
    {
        Flat = _sortedFlat.Ensure(accelerator, length),
        Score = _sortedScore.Ensure(accelerator, length),
        X1 = _sortedX1.Ensure(accelerator, length),
        Y1 = _sortedY1.Ensure(accelerator, length),
        X2 = _sortedX2.Ensure(accelerator, length),
        Y2 = _sortedY2.Ensure(accelerator, length),
    };

    public OutputViews EnsureOutput(Accelerator accelerator, int length, int images) => new()
    {
        Flat = _outFlat.Ensure(accelerator, length),
        Score = _outScore.Ensure(accelerator, length),
        X1 = _outX1.Ensure(accelerator, length),
        Y1 = _outY1.Ensure(accelerator, length),
        X2 = _outX2.Ensure(accelerator, length),
        Y2 = _outY2.Ensure(accelerator, length),
        Count = _outCount.Ensure(accelerator, images),
    };

    public void Dispose()
    {
        foreach (var d in new IDisposable[]
                 {
                     Candidates, ImageOffsets, Counters, Slots, Levels, KeptOffsets, Packed, Keys, TopKState, TopKHistogram, TopKCounter, SelectedKeys, EmitScore, SortTemp, Mask, Removed, State, Members, Work,
                     Cells, ArgAnchor, Accumulated, Scratch, _sortedFlat, _sortedScore, _sortedX1, _sortedY1, _sortedX2, _sortedY2,
                     _outFlat, _outScore, _outX1, _outY1, _outX2, _outY2, _outCount,
                 })
        {
            d.Dispose();
        }
    }
}
