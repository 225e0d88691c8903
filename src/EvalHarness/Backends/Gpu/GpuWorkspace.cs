using EvalHarness.PostProcessing;
using ILGPU;
using ILGPU.Runtime;

namespace EvalHarness.Backends.Gpu;

/// <summary>A host staging array with its device twin; both only grow.</summary>
internal sealed class MirroredArray<T> : IDisposable where T : unmanaged
{
    private readonly DeviceArray<T> _device = new();

    public T[] Host { get; private set; } = [];

    public ArrayView1D<T, Stride1D.Dense> View { get; private set; }

    public void EnsureHost(int length)
    {
        if (Host.Length < length) Host = new T[Math.Max(length, Host.Length * 3 / 2)];
    }

    public ArrayView1D<T, Stride1D.Dense> Ensure(Accelerator accelerator, long length) => View = _device.Ensure(accelerator, length);

    public ArrayView1D<T, Stride1D.Dense> Upload(Accelerator accelerator, AcceleratorStream stream, int length)
    {
        var view = Ensure(accelerator, length);
        if (length > 0) view.SubView(0, length).CopyFromCPU(stream, new ReadOnlySpan<T>(Host, 0, length));
        return view;
    }

    /// <summary>Copies the first <paramref name="length"/> device elements back (synchronously) and returns the host array.</summary>
    public T[] Download(AcceleratorStream stream, int length)
    {
        EnsureHost(length);
        if (length > 0)
        {
            var span = new Span<T>(Host, 0, length);
            View.SubView(0, length).CopyToCPU(stream, span);
        }
        return Host;
    }

    public void Dispose() => _device.Dispose();
}

/// <summary>Every buffer of the GPU backend, reused across batches.</summary>
internal sealed class GpuWorkspace : IDisposable
{
    public readonly MirroredArray<float> Score = new();
    public readonly MirroredArray<float> X1 = new();
    public readonly MirroredArray<float> Y1 = new();
    public readonly MirroredArray<float> X2 = new();
    public readonly MirroredArray<float> Y2 = new();
    public readonly MirroredArray<int> ImageOffsets = new();
    public readonly MirroredArray<int> Counters = new();
    public readonly MirroredArray<ImageSlot> Slots = new();
    public readonly MirroredArray<LevelSlot> Levels = new();

    public readonly DeviceArray<ulong> Keys = new();
    public readonly MirroredArray<ulong> HostKeys = new();
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

    public readonly MirroredArray<int> OutFlat = new();
    public readonly MirroredArray<float> OutScore = new();
    public readonly MirroredArray<float> OutX1 = new();
    public readonly MirroredArray<float> OutY1 = new();
    public readonly MirroredArray<float> OutX2 = new();
    public readonly MirroredArray<float> OutY2 = new();
    public readonly MirroredArray<int> OutCount = new();

    public CandidateViews UploadCandidates(Accelerator accelerator, AcceleratorStream stream, IReadOnlyList<CandidateMap> maps, int first, int images, int total)
    {
        Score.EnsureHost(total);
        X1.EnsureHost(total);
        Y1.EnsureHost(total);
        X2.EnsureHost(total);
        Y2.EnsureHost(total);
        var offset = 0;
        for (var b = 0; b < images; b++)
        {
            var map = maps[first + b];
            map.ScoreSpan.CopyTo(Score.Host.AsSpan(offset));
            map.X1Span.CopyTo(X1.Host.AsSpan(offset));
            map.Y1Span.CopyTo(Y1.Host.AsSpan(offset));
            map.X2Span.CopyTo(X2.Host.AsSpan(offset));
            map.Y2Span.CopyTo(Y2.Host.AsSpan(offset));
            offset += map.Count;
        }
        return new CandidateViews
        {
            Score = Score.Upload(accelerator, stream, total),
            X1 = X1.Upload(accelerator, stream, total),
            Y1 = Y1.Upload(accelerator, stream, total),
            X2 = X2.Upload(accelerator, stream, total),
            Y2 = Y2.Upload(accelerator, stream, total),
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
        Flat = OutFlat.Ensure(accelerator, length),
        Score = OutScore.Ensure(accelerator, length),
        X1 = OutX1.Ensure(accelerator, length),
        Y1 = OutY1.Ensure(accelerator, length),
        X2 = OutX2.Ensure(accelerator, length),
        Y2 = OutY2.Ensure(accelerator, length),
        Count = OutCount.Ensure(accelerator, images),
    };

    /// <summary>Reads the results back: the per-image counts and the <paramref name="length"/> output slots.</summary>
    public void Download(AcceleratorStream stream, int length, int images)
    {
        OutCount.Download(stream, images);
        OutFlat.Download(stream, length);
        OutScore.Download(stream, length);
        OutX1.Download(stream, length);
        OutY1.Download(stream, length);
        OutX2.Download(stream, length);
        OutY2.Download(stream, length);
    }

    public void Dispose()
    {
        foreach (var d in new IDisposable[]
                 {
                     Score, X1, Y1, X2, Y2, HostKeys, ImageOffsets, Counters, Slots, Levels, Keys, EmitScore, SortTemp, Mask, Removed, State, Members, Work,
                     Cells, ArgAnchor, Accumulated, Scratch, _sortedFlat, _sortedScore, _sortedX1, _sortedY1, _sortedX2, _sortedY2,
                     OutFlat, OutScore, OutX1, OutY1, OutX2, OutY2, OutCount,
                 })
        {
            d.Dispose();
        }
    }
}
