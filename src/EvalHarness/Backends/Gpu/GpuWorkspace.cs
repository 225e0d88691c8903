using EvalHarness.PostProcessing;
using ILGPU;
using ILGPU.Runtime;

namespace EvalHarness.Backends.Gpu;

/// <summary>
/// A page-locked host staging array with its device twin; both only grow. Page-locked memory is
/// what CUDA copies from directly (pageable memory goes through a driver bounce buffer) and what
/// lets an upload run asynchronously on the stream (not timed here: no GPU so far). The host must
/// not rewrite the staging array until the stream has passed the copy, which holds because every
/// batch ends with a synchronising download.
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

/// <summary>The six columns of a detection row on the device (flat index, score, box), as the sorted entrants and the outputs hold them.</summary>
internal sealed class DeviceRows : IDisposable
{
    private readonly DeviceArray<int> _flat = new();
    private readonly DeviceArray<float> _score = new();
    private readonly DeviceArray<float> _x1 = new();
    private readonly DeviceArray<float> _y1 = new();
    private readonly DeviceArray<float> _x2 = new();
    private readonly DeviceArray<float> _y2 = new();

    public SortedViews Ensure(Accelerator accelerator, int length) => new()
    {
        Flat = _flat.Ensure(accelerator, length),
        Score = _score.Ensure(accelerator, length),
        X1 = _x1.Ensure(accelerator, length),
        Y1 = _y1.Ensure(accelerator, length),
        X2 = _x2.Ensure(accelerator, length),
        Y2 = _y2.Ensure(accelerator, length),
    };

    public void Dispose()
    {
        _flat.Dispose();
        _score.Dispose();
        _x1.Dispose();
        _y1.Dispose();
        _x2.Dispose();
        _y2.Dispose();
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

    private readonly DeviceRows _sorted = new();
    private readonly DeviceRows _out = new();
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

    public SortedViews EnsureSorted(Accelerator accelerator, int length) => _sorted.Ensure(accelerator, length);

    public OutputViews EnsureOutput(Accelerator accelerator, int length, int images)
    {
        var rows = _out.Ensure(accelerator, length);
        return new OutputViews
        {
            Flat = rows.Flat, Score = rows.Score, X1 = rows.X1, Y1 = rows.Y1, X2 = rows.X2, Y2 = rows.Y2,
            Count = _outCount.Ensure(accelerator, images),
        };
    }

    public void Dispose()
    {
        foreach (var d in new IDisposable[]
                 {
                     Candidates, ImageOffsets, Counters, Slots, Levels, KeptOffsets, Packed, Keys, TopKState, TopKHistogram, TopKCounter, SelectedKeys, EmitScore, SortTemp, Mask, Removed, State, Members, Work,
                     Cells, ArgAnchor, Accumulated, Scratch, _sorted, _out, _outCount,
                 })
        {
            d.Dispose();
        }
    }
}
