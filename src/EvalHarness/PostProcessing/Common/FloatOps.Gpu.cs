using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime.Cuda;

namespace EvalHarness.PostProcessing;

/// <summary>
/// <see cref="IFloatOps"/> inside the kernels. WHY the explicit <c>mul.rn.f32</c>: ILGPU 1.5.3 emits
/// <c>mul.f32</c>/<c>add.f32</c> without a rounding modifier, and ptxas is then free to contract
/// <c>a*b+c</c> into one FMA (one rounding instead of two), which would flip IoU decisions at the
/// threshold. An explicit <c>mul.rn.f32</c> is never contracted. On the CPU accelerator (.NET never
/// contracts) and on OpenCL the plain operator is used (see <c>AcceleratorSelection</c> for the
/// OpenCL caveat). Square root and exp are ILGPU's (IEEE sqrt; the exp of soft-NMS-gaussian is
/// the one approximation the spec allows, 1e-5 relative).
/// </summary>
internal readonly struct CudaFloatOps : IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Mul(float a, float b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("mul.rn.f32 %0, %1, %2;", out float r, a, b);
            return r;
        }
        return a * b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => XMath.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => XMath.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float a) => XMath.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Bits(float a) => (uint)Interop.FloatAsInt(a);
}

/// <summary>A plane inside a device buffer: <see cref="At"/>(i) reads <c>view[offset + i]</c> (a level's cells inside a batch).</summary>
internal readonly struct ViewPlane : IFloatPlane
{
    private readonly ArrayView<float> _view;
    private readonly int _offset;

    public ViewPlane(ArrayView<float> view, int offset)
    {
        _view = view;
        _offset = offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float At(int index) => _view[_offset + index];
}
