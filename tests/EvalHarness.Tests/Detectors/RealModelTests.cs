using EvalHarness.Datasets;
using EvalHarness.Detectors;
using EvalHarness.Detectors.Input;
using EvalHarness.PostProcessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace EvalHarness.Tests.Detectors;

/// <summary>The BlazeFace models on real WIDER FACE val images (models via scripts/get-models.sh, images via WIDERFACE_ROOT).</summary>
public class RealModelTests
{
    private static (IReadOnlyList<ImageRef> Images, GroundTruth Gt) Sample(string ev, int count) =>
        WiderImageList.Load(TestData.WiderFaceRoot, events: [ev], limit: count);

    private static readonly OnnxSessionOptions OneThread = new() { IntraOpThreads = 1 };

    internal static double Iou(GtBox b, float x1, float y1, float x2, float y2)
    {
        var ix = Math.Max(0, Math.Min(b.X + b.W, x2) - Math.Max(b.X, x1));
        var iy = Math.Max(0, Math.Min(b.Y + b.H, y2) - Math.Max(b.Y, y1));
        var inter = ix * iy;
        var union = (b.W * b.H) + ((x2 - x1) * (y2 - y1)) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    [Fact]
    public void Back_model_in_tiles_mode_finds_most_visible_faces()
    {
        var modelsDir = TestData.ModelsDir;
        var (images, gt) = Sample("0--Parade", 8);
        using var source = new OnnxCandidateSource(images, gt, DetectorModel.BlazeFaceBack(modelsDir), new FrontEndOptions { Mode = InputMode.Tiles }, OneThread);
        var map = new CandidateMap();
        int faces = 0, found = 0;
        for (var i = 0; i < images.Count; i++)
        {
            source.Load(i, map, TestContext.Current.CancellationToken);
            Assert.Equal((images[i].Width, images[i].Height), (map.ImageWidth, map.ImageHeight));
            Assert.Equal((images[i].Event, images[i].ImageKey), (map.Event, map.ImageKey));
            Assert.Equal(((images[i].Height + 15) / 16, (images[i].Width + 15) / 16), (map.Levels[0].Height, map.Levels[0].Width));
            foreach (var b in gt.Images[i].Boxes)
            {
                if (b.H < 24 || b.H > 200) continue;
                faces++;
                for (var k = 0; k < map.Count; k++)
                {
                    if (map.Scores[k] >= 0.5f && Iou(b, map.X1[k], map.Y1[k], map.X2[k], map.Y2[k]) >= 0.5) { found++; break; }
                }
            }
        }
        Assert.True(faces >= 10, $"only {faces} faces in the sample");
        // a mis-decoded anchor grid or a wrong tile offset finds almost nothing at IoU 0.5
        Assert.True(found >= faces / 2, $"{found}/{faces} faces of 24–200 px found");
    }

    [Fact]
    public void Tiles_are_translation_equivariant_by_the_tile_stride()
    {
        // Padding the image by one tile stride of black (the pad value) on the left and top shifts every tile
        // by exactly one stride, so cells away from the new border must be bit-identical, moved by 128 px.
        var modelsDir = TestData.ModelsDir;
        var (images, _) = Sample("0--Parade", 1);
        using var detector = new OnnxDetector(DetectorModel.BlazeFaceBack(modelsDir), OneThread);
        var frontEnd = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Tiles });
        Assert.Equal(128, frontEnd.TileStride);
        using var image = new ImageLoader().Load(images[0].Path!);
        using var shifted = new Image<Rgb24>(image.Width + 128, image.Height + 128);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++) shifted[x + 128, y + 128] = image[x, y];
        }
        var a = new CandidateMap();
        var b = new CandidateMap();
        frontEnd.Detect(image, "original", a, TestContext.Current.CancellationToken);
        frontEnd.Detect(shifted, "shifted", b, TestContext.Current.CancellationToken);
        var compared = 0;
        for (var l = 0; l < 2; l++)
        {
            var la = a.Levels[l];
            var lb = b.Levels[l];
            var s = (int)la.Stride;
            for (var y = 128 / s; y < la.Height; y++)
            {
                for (var x = 128 / s; x < la.Width; x++)
                {
                    for (var k = 0; k < la.Anchors; k++)
                    {
                        var i = la.FlatIndex(y, x, k);
                        var j = lb.FlatIndex(y + (128 / s), x + (128 / s), k);
                        Assert.Equal(a.Scores[i], b.Scores[j]);
                        Assert.Equal(a.X1[i] + 128f, b.X1[j], 1e-3f);
                        Assert.Equal(a.Y2[i] + 128f, b.Y2[j], 1e-3f);
                        Assert.Equal(a.Keypoints[i * 12] + 128f, b.Keypoints[j * 12], 1e-3f);
                        compared++;
                    }
                }
            }
        }
        Assert.True(compared > 5000);
    }

    [Fact]
    public void Letterbox_maps_network_pixels_back_to_image_pixels()
    {
        // The letterbox path must equal: resize by hand, paste onto a black input-sized canvas at the
        // padding offset, run that canvas as a single tile, then undo offset and scale.
        var modelsDir = TestData.ModelsDir;
        var (images, _) = Sample("13--Interview", 1);
        using var detector = new OnnxDetector(DetectorModel.BlazeFaceBack(modelsDir), OneThread);
        var letterbox = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Letterbox });
        var tiles = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Tiles });
        using var image = new ImageLoader().Load(images[0].Path!);
        var g = LetterboxGeometry.For(image.Width, image.Height, 256, 256);
        Assert.True(g.PadX > 0 || g.PadY > 0);
        using var resized = image.Clone(c => c.Resize(g.ResizedWidth, g.ResizedHeight, KnownResamplers.Triangle));
        using var canvas = new Image<Rgb24>(256, 256);
        for (var y = 0; y < resized.Height; y++)
        {
            for (var x = 0; x < resized.Width; x++) canvas[x + g.PadX, y + g.PadY] = resized[x, y];
        }
        var viaLetterbox = new CandidateMap();
        var viaCanvas = new CandidateMap();
        letterbox.Detect(image, "image", viaLetterbox, TestContext.Current.CancellationToken);
        tiles.Detect(canvas, "canvas", viaCanvas, TestContext.Current.CancellationToken);
        Assert.Equal(896, viaLetterbox.Count);
        Assert.Equal(896, viaCanvas.Count);
        Assert.Equal(16f / (float)g.Scale, viaLetterbox.Levels[0].Stride, 4);
        for (var i = 0; i < 896; i++)
        {
            Assert.Equal(viaCanvas.Scores[i], viaLetterbox.Scores[i]);
            Assert.Equal((viaCanvas.X1[i] - g.PadX) / g.Scale, viaLetterbox.X1[i], 1e-3);
            Assert.Equal((viaCanvas.Y2[i] - g.PadY) / g.Scale, viaLetterbox.Y2[i], 1e-3);
        }
    }

    [Fact]
    public void Front_and_back_models_load_with_their_own_input_sizes()
    {
        var modelsDir = TestData.ModelsDir;
        using var front = new OnnxDetector(DetectorModel.BlazeFaceFront(modelsDir), OneThread);
        using var back = new OnnxDetector(DetectorModel.BlazeFaceBack(modelsDir), OneThread);
        Assert.Equal(128 * 128 * 3, front.InputBuffer.Length);
        Assert.Equal(256 * 256 * 3, back.InputBuffer.Length);
        Assert.Equal("d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51", front.Model.Sha256);
        Assert.Equal("427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2", back.Model.Sha256);
    }

    [Fact]
    public void Pyramid_mode_has_one_set_of_levels_per_scale()
    {
        var modelsDir = TestData.ModelsDir;
        var (images, gt) = Sample("13--Interview", 1);
        using var source = new OnnxCandidateSource(images, gt, DetectorModel.BlazeFaceBack(modelsDir), new FrontEndOptions { Mode = InputMode.Pyramid, PyramidScales = [1.0, 0.5] }, OneThread);
        var map = new CandidateMap();
        source.Load(0, map, TestContext.Current.CancellationToken);
        Assert.Equal(4, map.Levels.Length);
        var (w, h) = (images[0].Width, images[0].Height);
        Assert.Equal(((h + 15) / 16, (w + 15) / 16, 16f), (map.Levels[0].Height, map.Levels[0].Width, map.Levels[0].Stride));
        var (w2, h2) = ((int)Math.Round(w * 0.5, MidpointRounding.AwayFromZero), (int)Math.Round(h * 0.5, MidpointRounding.AwayFromZero));
        Assert.Equal(((h2 + 31) / 32, (w2 + 31) / 32, 64f), (map.Levels[3].Height, map.Levels[3].Width, map.Levels[3].Stride));
        Assert.Equal(-1, TileStitcher.FirstUncovered(map));
    }
}
