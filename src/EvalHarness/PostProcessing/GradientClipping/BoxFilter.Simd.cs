using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The accumulation step vectorised across x: each output is the same fresh tap-order sum as
/// <c>BoxFilterScalar</c> (acc = tap −r, then += taps −r+1 … +r, then / (2r+1)), so S̃ is
/// bit-identical. Horizontal: interior columns in vectors, the r edge columns per cell with the
/// scalar formula. Vertical: whole rows in vectors (row indices clamp, columns do not).
/// A last partial vector is moved back to end at the row's end and recomputes a few cells with
/// identical values.
/// </summary>
internal static class BoxFilterSimd
{
    public static void Apply<TOps, TV>(float[] plane, float[] scratch, int h, int w, int radius, int passes)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        for (var p = 0; p < passes; p++)
        {
            Horizontal<TOps, TV>(plane, scratch, h, w, radius);
            Vertical<TOps, TV>(scratch, plane, h, w, radius);
        }
    }

    public static void Horizontal<TOps, TV>(float[] src, float[] dst, int h, int w, int radius)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var s0 = ref MemoryMarshal.GetArrayDataReference(src);
        ref var d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        var n = TOps.Splat(2 * radius + 1);
        var end = w - radius; // interior: x in [radius, end), all taps inside the row
        for (var y = 0; y < h; y++)
        {
            var row = y * w;
            if (end - radius < TOps.Count)
            {
                for (var x = 0; x < w; x++) dst[row + x] = BoxFilterScalar.HorizontalAt(src, w, y, x, radius);
                continue;
            }
            for (var x = 0; x < radius; x++) dst[row + x] = BoxFilterScalar.HorizontalAt(src, w, y, x, radius);
            for (var x = radius; ; x += TOps.Count)
            {
                if (x > end - TOps.Count) x = end - TOps.Count;
                var acc = TOps.Load(ref s0, row + x - radius);
                for (var t = -radius + 1; t <= radius; t++) acc = TOps.Add(acc, TOps.Load(ref s0, row + x + t));
                TOps.Store(TOps.Divide(acc, n), ref d0, row + x);
                if (x == end - TOps.Count) break;
            }
            for (var x = end; x < w; x++) dst[row + x] = BoxFilterScalar.HorizontalAt(src, w, y, x, radius);
        }
    }

    public static void Vertical<TOps, TV>(float[] src, float[] dst, int h, int w, int radius)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        ref var s0 = ref MemoryMarshal.GetArrayDataReference(src);
        ref var d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        var n = TOps.Splat(2 * radius + 1);
        for (var y = 0; y < h; y++)
        {
            if (w < TOps.Count)
            {
                for (var x = 0; x < w; x++) dst[y * w + x] = BoxFilterScalar.VerticalAt(src, h, w, y, x, radius);
                continue;
            }
            var first = BoxFilter.Clamp(y - radius, h) * w;
            for (var x = 0; ; x += TOps.Count)
            {
                if (x > w - TOps.Count) x = w - TOps.Count;
                var acc = TOps.Load(ref s0, first + x);
                for (var t = -radius + 1; t <= radius; t++) acc = TOps.Add(acc, TOps.Load(ref s0, BoxFilter.Clamp(y + t, h) * w + x));
                TOps.Store(TOps.Divide(acc, n), ref d0, y * w + x);
                if (x == w - TOps.Count) break;
            }
        }
    }
}
