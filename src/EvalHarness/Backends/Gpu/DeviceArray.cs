using ILGPU;
using ILGPU.Runtime;

namespace EvalHarness.Backends.Gpu;

/// <summary>A device buffer that only grows, so steady-state batches allocate nothing on the device.</summary>
internal sealed class DeviceArray<T> : IDisposable where T : unmanaged
{
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

    /// <summary>A view of exactly <paramref name="length"/> elements (at least one is allocated: ILGPU rejects empty buffers).</summary>
    public ArrayView1D<T, Stride1D.Dense> Ensure(Accelerator accelerator, long length)
    {
        if (_buffer is null || _buffer.Length < Math.Max(length, 1))
        {
            _buffer?.Dispose();
            var capacity = Math.Max(Math.Max(length, 1), (_buffer?.Length ?? 0) * 3 / 2);
            _buffer = accelerator.Allocate1D<T>(capacity);
        }
        return _buffer.View.SubView(0, Math.Max(length, 1));
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
