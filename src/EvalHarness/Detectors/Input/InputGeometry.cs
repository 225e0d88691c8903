namespace EvalHarness.Detectors.Input;

/// <summary>
/// Letterboxing: scale the image by <c>min(Wi/w, Hi/h)</c> (for a square input <c>S/max(w, h)</c>),
/// round the resized size to the nearest pixel, centre it with integer padding <c>(Wi − n)/2</c>.
/// A network-input coordinate maps back as <c>x = (x_in − PadX) / Scale</c>.
/// </summary>
internal readonly record struct LetterboxGeometry(double Scale, int ResizedWidth, int ResizedHeight, int PadX, int PadY)
{
    public static LetterboxGeometry For(int imageWidth, int imageHeight, int inputWidth, int inputHeight)
    {
        if (imageWidth <= 0 || imageHeight <= 0) throw new ArgumentOutOfRangeException(nameof(imageWidth), $"image size {imageWidth}x{imageHeight}");
        var scale = Math.Min((double)inputWidth / imageWidth, (double)inputHeight / imageHeight);
        var nw = Math.Clamp((int)Math.Round(imageWidth * scale, MidpointRounding.AwayFromZero), 1, inputWidth);
        var nh = Math.Clamp((int)Math.Round(imageHeight * scale, MidpointRounding.AwayFromZero), 1, inputHeight);
        return new LetterboxGeometry(scale, nw, nh, (inputWidth - nw) / 2, (inputHeight - nh) / 2);
    }

    public double ToImageX(double inputX) => (inputX - PadX) / Scale;
    public double ToImageY(double inputY) => (inputY - PadY) / Scale;
    public double ToInputX(double imageX) => (imageX * Scale) + PadX;
    public double ToInputY(double imageY) => (imageY * Scale) + PadY;
}

/// <summary>
/// Tiles of the network input size laid over an image at native (or one pyramid) resolution.
/// Tile origins are multiples of <see cref="Stride"/>, itself a multiple of the decoder's largest
/// level stride, so every tile cell lands on exactly one cell of the whole-image grid of each level
/// (spec: "Tiled inference"). The last tile in a row or column may reach past the image; its
/// outside pixels are padding. An image smaller than the input is one padded tile.
/// </summary>
internal readonly record struct TileLayout(int ImageWidth, int ImageHeight, int TileWidth, int TileHeight, int Stride)
{
    public int TilesX => TileCount(ImageWidth, TileWidth, Stride);
    public int TilesY => TileCount(ImageHeight, TileHeight, Stride);
    public int Count => TilesX * TilesY;

    /// <summary>Tile <paramref name="index"/> in row-major order (the stitching order: ties go to the earlier tile).</summary>
    public (int X, int Y) Origin(int index) => ((index % TilesX) * Stride, (index / TilesX) * Stride);

    public static int TileCount(int extent, int tile, int stride) =>
        extent <= tile ? 1 : ((extent - tile + stride - 1) / stride) + 1;

    /// <summary>Whole-image grid size of a level with <paramref name="levelStride"/>: every cell that starts inside the image.</summary>
    public static int GridCells(int extent, int levelStride) => (extent + levelStride - 1) / levelStride;

    /// <summary>The default tile stride: half the input, rounded down to a multiple of the largest level stride (BlazeFace back: 128, front: 64).</summary>
    public static int DefaultStride(int tileWidth, int tileHeight, int largestLevelStride)
    {
        var half = Math.Min(tileWidth, tileHeight) / 2;
        return Math.Max(largestLevelStride, half / largestLevelStride * largestLevelStride);
    }

    /// <summary>Checks a user-chosen stride: positive, a multiple of the largest level stride, and no gaps between tiles.</summary>
    public static void ValidateStride(int stride, int tileWidth, int tileHeight, int largestLevelStride)
    {
        if (stride <= 0 || stride % largestLevelStride != 0 || stride > Math.Min(tileWidth, tileHeight))
        {
            throw new IO.UsageException($"tile stride {stride} must be a positive multiple of the largest level stride {largestLevelStride} and at most the tile size {Math.Min(tileWidth, tileHeight)}");
        }
    }
}
