using EvalHarness.Detectors;
using EvalHarness.Detectors.Decoders;
using EvalHarness.Detectors.Input;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EvalHarness.Tests.Detectors;

public sealed class OnnxDetectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A BlazeFace-shaped model (S = 256) whose outputs are constants.</summary>
    private string BlazeFaceLike(float logit, float regressor, string scoreName = "Identity:0", long level2Anchors = 384, long values = 16)
    {
        var bytes = OnnxModelBuilder.ConstantModel(
            ("input:0", [1, 256, 256, 3]),
            new(scoreName, [1, 512, 1], logit),
            new("Identity_1:0", [1, level2Anchors, 1], logit),
            new("Identity_2:0", [1, 512, values], regressor),
            new("Identity_3:0", [1, level2Anchors, values], regressor));
        var path = Path.Combine(_dir, $"model-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static DetectorModel Model(string path) => new(path, new BlazeFaceDecoder(256));

    [Fact]
    public void A_hand_built_model_with_the_right_tensors_loads_and_decodes()
    {
        using var detector = new OnnxDetector(Model(BlazeFaceLike(0f, 0f)));
        var map = new CandidateMap();
        detector.Run(map);
        Assert.Equal(896, map.Count);
        Assert.All(map.ScoreSpan.ToArray(), s => Assert.Equal(0.5f, s));
        // regressors 0: zero-size boxes on the anchor centres; level 2, cell (7, 7), stride 32
        var i = map.Levels[1].FlatIndex(7, 7, 5);
        Assert.Equal(240f, map.X1[i]);
        Assert.Equal(240f, map.Y2[i]);
    }

    [Fact]
    public void Not_an_onnx_file_is_a_model_error_naming_the_file()
    {
        var path = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllText(path, "this is not a protobuf");
        var ex = Assert.Throws<ModelException>(() => new OnnxDetector(Model(path)));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void A_missing_model_names_the_fetch_script()
    {
        var ex = Assert.Throws<ModelException>(() => DetectorModel.BlazeFaceBack(_dir));
        Assert.Contains("scripts/get-models.sh", ex.Message);
        Assert.Contains(DetectorModel.BackFileName, ex.Message);
    }

    [Fact]
    public void A_wrong_output_name_is_reported_with_the_expected_name()
    {
        var ex = Assert.Throws<ModelException>(() => new OnnxDetector(Model(BlazeFaceLike(0f, 0f, scoreName: "scores"))));
        Assert.Contains("'Identity:0'", ex.Message);
        Assert.Contains("scores", ex.Message);
    }

    [Fact]
    public void A_wrong_output_shape_is_reported_with_both_shapes()
    {
        var ex = Assert.Throws<ModelException>(() => new OnnxDetector(Model(BlazeFaceLike(0f, 0f, values: 12))));
        Assert.Contains("'Identity_2:0'", ex.Message);
        Assert.Contains("[1, 512, 12]", ex.Message);
        Assert.Contains("[1, 512, 16]", ex.Message);
    }

    [Fact]
    public void A_wrong_input_size_is_reported()
    {
        var ex = Assert.Throws<ModelException>(() => new OnnxDetector(new DetectorModel(BlazeFaceLike(0f, 0f), new BlazeFaceDecoder(128))));
        Assert.Contains("'input:0'", ex.Message);
        Assert.Contains("[1, 256, 256, 3]", ex.Message);
        Assert.Contains("[1, 128, 128, 3]", ex.Message);
    }

    [Fact]
    public void A_NaN_score_is_an_error_naming_the_image()
    {
        using var detector = new OnnxDetector(Model(BlazeFaceLike(float.NaN, 0f)));
        var frontEnd = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Letterbox });
        using var image = new Image<Rgb24>(40, 30);
        var ex = Assert.Throws<ModelException>(() => frontEnd.Detect(image, "events/some_image.jpg", new CandidateMap(), TestContext.Current.CancellationToken));
        Assert.Contains("events/some_image.jpg", ex.Message);
        Assert.Contains("NaN", ex.Message);
    }

    [Fact]
    public void Every_tile_maps_its_cells_onto_the_whole_image_grid_exactly()
    {
        // every tile yields the same score and a zero-size box at each anchor centre, so whichever
        // tile wins a cell, its box must land on that global cell's centre (the tie rule itself is
        // tested in TileStitcherTests with distinguishable tiles)
        using var detector = new OnnxDetector(Model(BlazeFaceLike(1f, 0f)));
        var frontEnd = new DetectorFrontEnd(detector, new FrontEndOptions { Mode = InputMode.Tiles });
        using var image = new Image<Rgb24>(600, 300);
        var map = new CandidateMap();
        frontEnd.Detect(image, "x", map, TestContext.Current.CancellationToken);
        // 600 wide, tiles 256 at stride 128: origins 0, 128, 256, 384; rows 0, 128
        var level = map.Levels[0];
        Assert.Equal((19, 38), (level.Height, level.Width));
        for (var y = 0; y < level.Height; y++)
        {
            for (var x = 0; x < level.Width; x++)
            {
                var i = level.FlatIndex(y, x, 0);
                // a zero-size box at the cell centre whichever tile won: the mapping is exact
                Assert.Equal((x + 0.5f) * 16, map.X1[i]);
                Assert.Equal((y + 0.5f) * 16, map.Y1[i]);
            }
        }
        Assert.Equal(-1, TileStitcher.FirstUncovered(map));
    }

    [Fact]
    public void An_upscaling_pyramid_level_must_stay_within_the_pixel_limit()
    {
        using var detector = new OnnxDetector(Model(BlazeFaceLike(0f, 0f)));
        var options = new FrontEndOptions { Mode = InputMode.Pyramid, PyramidScales = [1.0, 2.0], Image = new ImageLoadOptions { MaxPixels = 20_000 } };
        using var image = new Image<Rgb24>(100, 100);
        var ex = Assert.Throws<DataFormatException>(() => new DetectorFrontEnd(detector, options).Detect(image, "img.jpg", new CandidateMap(), TestContext.Current.CancellationToken));
        Assert.Contains("200x200", ex.Message);
        var map = new CandidateMap();
        new DetectorFrontEnd(detector, options with { PyramidScales = [1.0, 0.5] }).Detect(image, "img.jpg", map, TestContext.Current.CancellationToken);
        Assert.Equal(4, map.Levels.Length);
    }

    [Fact]
    public void The_cuda_provider_fails_clearly_when_unavailable()
    {
        // the CPU-only ONNX Runtime package has no CUDA provider; if a GPU build is ever referenced this test must be revisited
        var ex = Assert.Throws<ModelException>(() => new OnnxDetector(Model(BlazeFaceLike(0f, 0f)), new OnnxSessionOptions { Provider = ExecutionProvider.Cuda }));
        Assert.Contains("CUDA", ex.Message);
    }
}
