using System.Runtime.CompilerServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The float operations whose rounding a compiler could change, so the shared maths (IoU, peak
/// rule, gradient step, sort key, decays) is written once, generic over <c>TOps</c>, and every
/// backend gets the same float32 evaluation order: <see cref="CpuFloatOps"/> for the scalar oracle
/// and the SIMD backend's per-lane parts, <c>CudaFloatOps</c> inside the ILGPU kernels.
/// Static abstract members, as <see cref="ISimdOps{TV}"/>: the JIT and ILGPU both resolve them at
/// compile time (ILGPU 1.5.3 compiles them; the PTX compile test covers every kernel that uses them).
/// </summary>
internal interface IFloatOps
{
    /// <summary><c>a·b</c>, rounded on its own: never contracted with a following add into an FMA.</summary>
    static abstract float Mul(float a, float b);

    static abstract float Sqrt(float a);

    static abstract float Abs(float a);

    static abstract float Exp(float a);

    /// <summary>The IEEE-754 bits of <paramref name="a"/>.</summary>
    static abstract uint Bits(float a);
}

/// <summary>The CPU's operators (RyuJIT never contracts <c>a*b+c</c> into an FMA).</summary>
internal readonly struct CpuFloatOps : IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float a) => MathF.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Bits(float a) => BitConverter.SingleToUInt32Bits(a);
}

/// <summary>
/// Read access to a row-major plane of floats (a level's cells, a map's scores), so a per-cell rule
/// is written once for a span on the CPU and an <c>ArrayView</c> with a base offset in a kernel.
/// Methods take a plane as an <c>in</c> parameter: ILGPU 1.5.3 fails to compile the constrained
/// interface call on a by-value struct parameter ("Cannot convert from 'Int64' to type 'Ptr&lt;…&gt;'"),
/// while <c>in</c> hands it the address it needs.
/// </summary>
internal interface IFloatPlane
{
    float At(int index);
}

/// <summary>A span as a plane (the scalar oracle, the SIMD backend's border cells).</summary>
internal readonly ref struct SpanPlane : IFloatPlane
{
    private readonly ReadOnlySpan<float> _values;

    public SpanPlane(ReadOnlySpan<float> values) => _values = values;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float At(int index) => _values[index];
}
