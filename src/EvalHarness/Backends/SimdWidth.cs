using System.Runtime.Intrinsics;

namespace EvalHarness.Backends;

/// <summary>The vector width the SIMD backend runs at; <see cref="Auto"/> takes the widest the hardware accelerates.</summary>
internal enum SimdWidth
{
    Auto = 0,
    Bits128 = 128,
    Bits256 = 256,
    Bits512 = 512,
}

internal static class SimdWidths
{
    public static SimdWidth Resolve(SimdWidth requested)
    {
        if (requested != SimdWidth.Auto) return requested;
        if (Vector512.IsHardwareAccelerated) return SimdWidth.Bits512;
        if (Vector256.IsHardwareAccelerated) return SimdWidth.Bits256;
        return SimdWidth.Bits128;
    }

    /// <summary>What runs, in words, for the results ("AVX-512 (Vector512)").</summary>
    public static string Describe(SimdWidth width) => width switch
    {
        SimdWidth.Bits512 => Vector512.IsHardwareAccelerated ? "AVX-512 (Vector512)" : "Vector512 (software)",
        SimdWidth.Bits256 => Vector256.IsHardwareAccelerated ? "AVX2 (Vector256)" : "Vector256 (software)",
        _ => Vector128.IsHardwareAccelerated ? "SSE/NEON (Vector128)" : "Vector128 (software)",
    };
}
