using EvalHarness.Detectors.Decoders;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Detectors.Input;

/// <summary>
/// Copies a window of an RGB image into a network input tensor: tensor pixel (tx, ty) takes image
/// pixel (OriginX + tx, OriginY + ty), normalised per channel through a 256-entry table; pixels
/// outside the image get the spec's pad value. Negative origins centre a letterboxed image.
/// </summary>
internal sealed class TensorFiller
{
    private readonly ModelInputSpec _spec;
    private readonly float[] _lut = new float[3 * 256];

    public TensorFiller(ModelInputSpec spec)
    {
        _spec = spec;
        for (var c = 0; c < 3; c++)
        {
            // Mean and Std are in tensor channel order (BGR models give BGR means)
            for (var v = 0; v < 256; v++) _lut[(c * 256) + v] = (v - spec.Mean[c]) / spec.Std[c];
        }
    }

    public void Fill(ReadOnlySpan<Rgb24> pixels, int width, int height, int originX, int originY, Span<float> tensor)
    {
        var w = _spec.Width;
        var h = _spec.Height;
        if (tensor.Length < w * h * 3) throw new ArgumentException("tensor buffer too small", nameof(tensor));
        FillPadding(tensor[..(w * h * 3)]);
        // the part of the tensor that sees the image
        var tx0 = Math.Max(0, -originX);
        var tx1 = Math.Min(w, width - originX);
        var ty0 = Math.Max(0, -originY);
        var ty1 = Math.Min(h, height - originY);
        if (tx0 >= tx1 || ty0 >= ty1) return;
        var bgr = _spec.Order == ChannelOrder.Bgr;
        var lut0 = _lut.AsSpan(0, 256);
        var lut1 = _lut.AsSpan(256, 256);
        var lut2 = _lut.AsSpan(512, 256);
        var plane = w * h;
        for (var ty = ty0; ty < ty1; ty++)
        {
            var row = pixels.Slice(((originY + ty) * width) + originX + tx0, tx1 - tx0);
            if (_spec.Layout == TensorLayout.Nhwc)
            {
                var dst = tensor.Slice(((ty * w) + tx0) * 3, row.Length * 3);
                for (var i = 0; i < row.Length; i++)
                {
                    var p = row[i];
                    var (c0, c2) = bgr ? (p.B, p.R) : (p.R, p.B);
                    dst[3 * i] = lut0[c0];
                    dst[(3 * i) + 1] = lut1[p.G];
                    dst[(3 * i) + 2] = lut2[c2];
                }
            }
            else
            {
                var start = (ty * w) + tx0;
                var d0 = tensor.Slice(start, row.Length);
                var d1 = tensor.Slice(plane + start, row.Length);
                var d2 = tensor.Slice((2 * plane) + start, row.Length);
                for (var i = 0; i < row.Length; i++)
                {
                    var p = row[i];
                    var (c0, c2) = bgr ? (p.B, p.R) : (p.R, p.B);
                    d0[i] = lut0[c0];
                    d1[i] = lut1[p.G];
                    d2[i] = lut2[c2];
                }
            }
        }
    }

    private void FillPadding(Span<float> tensor)
    {
        if (_spec.ChannelPadValues is not { Length: 3 } pads)
        {
            tensor.Fill(_spec.PadValue);
            return;
        }
        if (_spec.Layout == TensorLayout.Nchw)
        {
            var plane = tensor.Length / 3;
            for (var c = 0; c < 3; c++) tensor.Slice(c * plane, plane).Fill(pads[c]);
            return;
        }
        for (var i = 0; i < tensor.Length; i += 3)
        {
            tensor[i] = pads[0];
            tensor[i + 1] = pads[1];
            tensor[i + 2] = pads[2];
        }
    }
}
