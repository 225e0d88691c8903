using System.Globalization;
using EvalHarness.Detectors.Decoders;
using EvalHarness.Detectors.FaceApi;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace EvalHarness.Detectors.Input;

/// <summary>How an image of any size becomes network inputs.</summary>
public enum InputMode
{
    /// <summary>One input: the image scaled to fit, centred, padded; levels are the decoder's grids.</summary>
    Letterbox,
    /// <summary>Native resolution, input-sized tiles stitched into whole-image grids per level.</summary>
    Tiles,
    /// <summary><see cref="Tiles"/> at each of several scales; one set of levels per scale.</summary>
    Pyramid,
}

public sealed record FrontEndOptions
{
    public InputMode Mode { get; init; } = InputMode.Tiles;

    /// <summary>Tile stride in network-input pixels; null = <see cref="TileLayout.DefaultStride"/> (half the input).</summary>
    public int? TileStride { get; init; }

    /// <summary>Image scales for <see cref="InputMode.Pyramid"/>, in level order (default 1, 1/2, 1/4).</summary>
    public double[] PyramidScales { get; init; } = [1.0, 0.5, 0.25];

    public ImageLoadOptions Image { get; init; } = new();

    /// <summary>The front-end parameters that change the candidates, with the tile stride resolved for <paramref name="decoder"/>.</summary>
    public string Describe(IDetectionDecoder decoder)
    {
        var stride = TileStride ?? TileLayout.DefaultStride(decoder.Input.Width, decoder.Input.Height, decoder.LargestStride());
        var mode = Mode switch
        {
            InputMode.Letterbox when decoder is FaceApiDecoder => "letterbox(faceapi:top-left,tf-bilinear-float)",
            InputMode.Letterbox => "letterbox(bilinear,pad=centre)",
            InputMode.Tiles => $"tiles(stride={stride})",
            _ => $"pyramid(stride={stride},scales=[{string.Join(",", PyramidScales.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}])",
        };
        return $"{mode},maxPixels={Image.MaxPixels}";
    }

    public static InputMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "letterbox" => InputMode.Letterbox,
        "tiles" => InputMode.Tiles,
        "pyramid" => InputMode.Pyramid,
        _ => throw new UsageException($"--mode: unknown input mode '{text}' (expected letterbox, tiles or pyramid)"),
    };
}

/// <summary>
/// Runs a detector over whole images: loads the image, cuts it into network inputs per
/// <see cref="FrontEndOptions.Mode"/>, runs and decodes each, and assembles the dense candidate map
/// in original image pixels. Not thread-safe (one detector, reused buffers).
/// </summary>
internal sealed class DetectorFrontEnd
{
    private readonly OnnxDetector _detector;
    private readonly IDetectionDecoder _decoder;
    private readonly FrontEndOptions _options;
    private readonly ImageLoader _loader;
    private readonly TensorFiller _filler;
    private readonly CandidateMap _tileMap = new();
    private readonly int _tileStride;
    private Rgb24[] _pixels = [];

    public DetectorFrontEnd(OnnxDetector detector, FrontEndOptions? options = null)
    {
        _detector = detector;
        _decoder = detector.Decoder;
        _options = options ?? new FrontEndOptions();
        _loader = new ImageLoader(_options.Image);
        _filler = new TensorFiller(_decoder.Input);
        var largest = _decoder.LargestStride();
        _tileStride = _options.TileStride ?? TileLayout.DefaultStride(_decoder.Input.Width, _decoder.Input.Height, largest);
        TileLayout.ValidateStride(_tileStride, _decoder.Input.Width, _decoder.Input.Height, largest);
        if (_options.Mode == InputMode.Pyramid)
        {
            if (_options.PyramidScales.Length == 0) throw new UsageException("pyramid mode needs at least one scale");
            foreach (var s in _options.PyramidScales)
            {
                if (!(s > 0 && s <= 8)) throw new UsageException($"pyramid scale {s} must be in (0, 8]");
            }
        }
    }

    public int TileStride => _tileStride;

    /// <summary>Loads <paramref name="imagePath"/> and fills <paramref name="map"/> (size and levels; event and key are the caller's).</summary>
    public void Detect(string imagePath, CandidateMap map, CancellationToken cancellationToken = default)
    {
        using var image = _loader.Load(imagePath);
        Detect(image, imagePath, map, cancellationToken);
    }

    public void Detect(Image<Rgb24> image, string name, CandidateMap map, CancellationToken cancellationToken = default)
    {
        map.ImageWidth = image.Width;
        map.ImageHeight = image.Height;
        switch (_options.Mode)
        {
            case InputMode.Letterbox:
                DetectLetterbox(image, name, map);
                break;
            case InputMode.Tiles:
                DetectPyramid(image, name, [1.0], map, cancellationToken);
                break;
            default:
                DetectPyramid(image, name, _options.PyramidScales, map, cancellationToken);
                break;
        }
        var uncovered = TileStitcher.FirstUncovered(map);
        if (uncovered >= 0) throw new InvalidOperationException($"{name}: candidate {uncovered} was covered by no tile (tile layout bug)");
    }

    private void DetectLetterbox(Image<Rgb24> image, string name, CandidateMap map)
    {
        if (_decoder is FaceApiDecoder faceApi)
        {
            DetectFaceApiLetterbox(image, name, faceApi, map);
            return;
        }
        var input = _decoder.Input;
        var g = LetterboxGeometry.For(image.Width, image.Height, input.Width, input.Height);
        using var resized = image.Clone(ctx => ctx.Resize(g.ResizedWidth, g.ResizedHeight, KnownResamplers.Triangle));
        var pixels = CopyPixels(resized);
        var levels = new (int, int, int, float)[_decoder.Levels.Count];
        for (var l = 0; l < levels.Length; l++)
        {
            var dl = _decoder.Levels[l];
            levels[l] = (dl.GridHeight, dl.GridWidth, dl.Anchors, (float)(dl.Stride / g.Scale));
        }
        map.Reset(levels, _decoder.KeypointCount);
        TileStitcher.Clear(map);
        RunInput(pixels, resized.Width, resized.Height, -g.PadX, -g.PadY, name);
        for (var l = 0; l < levels.Length; l++)
        {
            TileStitcher.Stitch(_tileMap, l, map, l, 0, 0, -g.PadX, -g.PadY, g.Scale, g.Scale);
        }
    }

    /// <summary>face-api's own letterbox (top-left, float resize, its rounding quirk on the way back): the reference pipeline of those detectors.</summary>
    private void DetectFaceApiLetterbox(Image<Rgb24> image, string name, FaceApiDecoder decoder, CandidateMap map)
    {
        var (scaleX, scaleY) = FaceApiLetterbox.Scales(image.Width, image.Height, decoder.InputSize);
        var imagePixelsPerInputPixel = (double)Math.Max(image.Width, image.Height) / decoder.InputSize;
        var levels = new (int, int, int, float)[_decoder.Levels.Count];
        for (var l = 0; l < levels.Length; l++)
        {
            var dl = _decoder.Levels[l];
            levels[l] = (dl.GridHeight, dl.GridWidth, dl.Anchors, (float)(dl.Stride * imagePixelsPerInputPixel));
        }
        map.Reset(levels, _decoder.KeypointCount);
        TileStitcher.Clear(map);
        FaceApiLetterbox.Fill(CopyPixels(image), image.Width, image.Height, decoder, _detector.InputBuffer);
        RunFilledInput(0, 0, name);
        for (var l = 0; l < levels.Length; l++)
        {
            TileStitcher.Stitch(_tileMap, l, map, l, 0, 0, 0, 0, scaleX, scaleY);
        }
    }

    private void DetectPyramid(Image<Rgb24> image, string name, double[] scales, CandidateMap map, CancellationToken cancellationToken)
    {
        var input = _decoder.Input;
        var decoderLevels = _decoder.Levels;
        var sizes = new (int W, int H)[scales.Length];
        var levels = new (int, int, int, float)[scales.Length * decoderLevels.Count];
        for (var s = 0; s < scales.Length; s++)
        {
            sizes[s] = ScaledSize(image.Width, image.Height, scales[s]);
            if ((long)sizes[s].W * sizes[s].H > _options.Image.MaxPixels)
            {
                throw new DataFormatException(name, 0, $"pyramid scale {scales[s].ToString("R", CultureInfo.InvariantCulture)} makes the image {sizes[s].W}x{sizes[s].H}, over the limit of {_options.Image.MaxPixels} pixels");
            }
            for (var l = 0; l < decoderLevels.Count; l++)
            {
                var dl = decoderLevels[l];
                levels[(s * decoderLevels.Count) + l] = (
                    TileLayout.GridCells(sizes[s].H, dl.Stride), TileLayout.GridCells(sizes[s].W, dl.Stride), dl.Anchors, (float)(dl.Stride / scales[s]));
            }
        }
        map.Reset(levels, _decoder.KeypointCount);
        TileStitcher.Clear(map);
        for (var s = 0; s < scales.Length; s++)
        {
            var (w, h) = sizes[s];
            Image<Rgb24>? scaled = w == image.Width && h == image.Height ? null : image.Clone(ctx => ctx.Resize(w, h, KnownResamplers.Triangle));
            try
            {
                var pixels = CopyPixels(scaled ?? image);
                var scaleX = (double)w / image.Width;
                var scaleY = (double)h / image.Height;
                var layout = new TileLayout(w, h, input.Width, input.Height, _tileStride);
                for (var t = 0; t < layout.Count; t++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (ox, oy) = layout.Origin(t);
                    RunInput(pixels, w, h, ox, oy, name);
                    for (var l = 0; l < decoderLevels.Count; l++)
                    {
                        var stride = decoderLevels[l].Stride;
                        TileStitcher.Stitch(_tileMap, l, map, (s * decoderLevels.Count) + l, ox / stride, oy / stride, ox, oy, scaleX, scaleY);
                    }
                }
            }
            finally
            {
                scaled?.Dispose();
            }
        }
    }

    internal static (int W, int H) ScaledSize(int width, int height, double scale) => (
        Math.Max(1, (int)Math.Round(width * scale, MidpointRounding.AwayFromZero)),
        Math.Max(1, (int)Math.Round(height * scale, MidpointRounding.AwayFromZero)));

    private void RunInput(ReadOnlySpan<Rgb24> pixels, int width, int height, int originX, int originY, string name)
    {
        _filler.Fill(pixels, width, height, originX, originY, _detector.InputBuffer);
        RunFilledInput(originX, originY, name);
    }

    private void RunFilledInput(int originX, int originY, string name)
    {
        _detector.Run(_tileMap);
        var scores = _tileMap.ScoreSpan;
        for (var i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]))
            {
                throw new ModelException($"{name}: the model returned a NaN score (candidate {i} of the input at ({originX}, {originY}))");
            }
        }
    }

    private ReadOnlySpan<Rgb24> CopyPixels(Image<Rgb24> image)
    {
        var n = image.Width * image.Height;
        if (_pixels.Length < n) _pixels = new Rgb24[n];
        image.CopyPixelDataTo(_pixels.AsSpan(0, n));
        return _pixels.AsSpan(0, n);
    }
}
