using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Detectors.FaceApi;

/// <summary>
/// face-api's own input pipeline (spec faceapi-detectors.md §1), so that the imported models see
/// the tensor face-api's tfjs cpu backend builds, bit for bit: the image sits at the top-left of
/// an M×M square of zeros (M = max(W, H)), is resized to S×S with TF's legacy bilinear resize
/// (<c>align_corners = half_pixel_centers = false</c>: <c>src = dst·M/S</c>, evaluated in float64,
/// rounded once to float32) and normalised with the detector's float32 ops. Boxes map back with
/// face-api's rounding quirk: it divides by the rounded resized extent
/// <c>round(W·S/M)</c> (JS Math.round, half up), not the exact one.
/// </summary>
internal static class FaceApiLetterbox
{
    /// <summary>Input pixels per image pixel on each axis, as face-api maps boxes back (<c>S/round(W·S/M)</c> per relative unit, ×W).</summary>
    public static (double ScaleX, double ScaleY) Scales(int width, int height, int inputSize)
    {
        var (rw, rh) = ReshapedSize(width, height, inputSize);
        return ((double)rw / width, (double)rh / height);
    }

    /// <summary>face-api's <c>computeReshapedDimensions</c>: <c>round(W·S/M)</c>, <c>round(H·S/M)</c>, half up.</summary>
    public static (int Width, int Height) ReshapedSize(int width, int height, int inputSize)
    {
        var m = Math.Max(width, height);
        return ((int)Math.Floor(((double)width * inputSize / m) + 0.5), (int)Math.Floor(((double)height * inputSize / m) + 0.5));
    }

    /// <summary>Fills the NCHW input <paramref name="tensor"/> (3·S·S) from RGB <paramref name="pixels"/> (W×H, row-major).</summary>
    public static void Fill(ReadOnlySpan<Rgb24> pixels, int width, int height, FaceApiDecoder decoder, Span<float> tensor)
    {
        var s = decoder.InputSize;
        var m = Math.Max(width, height);
        var plane = s * s;
        if (tensor.Length < 3 * plane) throw new ArgumentException("tensor buffer too small", nameof(tensor));
        var ratio = (double)m / s;
        for (var r = 0; r < s; r++)
        {
            double srcY = m == s ? r : ratio * r;
            var y0 = Math.Max(0, (int)Math.Floor(srcY));
            var y1 = Math.Min(m - 1, (int)Math.Ceiling(srcY));
            var fy = srcY - y0;
            for (var col = 0; col < s; col++)
            {
                double srcX = m == s ? col : ratio * col;
                var x0 = Math.Max(0, (int)Math.Floor(srcX));
                var x1 = Math.Min(m - 1, (int)Math.Ceiling(srcX));
                var fx = srcX - x0;
                var tl = At(pixels, width, height, x0, y0);
                var tr = At(pixels, width, height, x1, y0);
                var bl = At(pixels, width, height, x0, y1);
                var br = At(pixels, width, height, x1, y1);
                var o = (r * s) + col;
                tensor[o] = decoder.Normalise(Lerp(tl.R, tr.R, bl.R, br.R, fx, fy), 0);
                tensor[plane + o] = decoder.Normalise(Lerp(tl.G, tr.G, bl.G, br.G, fx, fy), 1);
                tensor[(2 * plane) + o] = decoder.Normalise(Lerp(tl.B, tr.B, bl.B, br.B, fx, fy), 2);
            }
        }
    }

    // tfjs cpu resizeBilinear: top, bottom, then between them, all in JS doubles; the output store rounds to float32
    private static float Lerp(double tl, double tr, double bl, double br, double fx, double fy)
    {
        var top = tl + ((tr - tl) * fx);
        var bottom = bl + ((br - bl) * fx);
        return (float)(top + ((bottom - top) * fy));
    }

    // the zero padding of padToSquare: outside the image (bottom rows / right columns) a pixel is black
    private static Rgb24 At(ReadOnlySpan<Rgb24> pixels, int width, int height, int x, int y) =>
        x < width && y < height ? pixels[(y * width) + x] : default;
}
