using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Tests.Detectors.FaceApi;

/// <summary>
/// The deterministic synthetic image of scripts/faceapi-reference/faceapi-reference.js
/// (<c>--synthetic</c>): the same integer / double formula, so face-api in Node and the harness see
/// identical RGB. 700×455: non-square, so face-api's bottom padding and its rounded reshaped
/// height (455·512/700 = 332.8 → 333) are exercised.
/// </summary>
internal static class SyntheticFaceImage
{
    public const int Width = 700;
    public const int Height = 455;

    private static readonly int[][] Discs = [[200, 180, 70, 224, 172, 140], [480, 220, 110, 198, 150, 120], [610, 90, 40, 90, 60, 50]];

    public static Image<Rgb24> Create()
    {
        var image = new Image<Rgb24>(Width, Height);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var r = (int)(x * 255.0 / (Width - 1));
                var g = (int)(y * 255.0 / (Height - 1));
                var b = ((x + y) * 7) & 255;
                if (x >= 40 && x < 140 && y >= 320 && y < 420 && (((x >> 3) + (y >> 3)) & 1) != 0)
                {
                    r = 255 - r;
                    g = 255 - g;
                    b = 255 - b;
                }
                foreach (var d in Discs)
                {
                    int cx = d[0], cy = d[1], rad = d[2];
                    int dx = x - cx, dy = y - cy;
                    if ((dx * dx) + (dy * dy) >= rad * rad) continue;
                    (r, g, b) = (d[3], d[4], d[5]);
                    int ex = rad * 2 / 5, ey = rad / 4, er = Math.Max(2, rad / 7);
                    var l = ((dx + ex) * (dx + ex)) + ((dy + ey) * (dy + ey));
                    var rr = ((dx - ex) * (dx - ex)) + ((dy + ey) * (dy + ey));
                    if (l < er * er || rr < er * er) (r, g, b) = (30, 25, 20);
                    double third = rad / 3.0;
                    if (dy > third && dy < third + Math.Max(2, rad / 10) && dx > -rad / 3.0 && dx < third) (r, g, b) = (120, 40, 40);
                }
                image[x, y] = new Rgb24((byte)r, (byte)g, (byte)b);
            }
        }
        return image;
    }
}
