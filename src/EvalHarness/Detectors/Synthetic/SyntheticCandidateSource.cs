using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Detectors.Synthetic;

/// <summary>Knobs of the synthetic detector; the defaults imitate BlazeFace-back tiles on WIDER FACE val.</summary>
public sealed record SyntheticOptions
{
    public int ImageWidth { get; init; } = 1024;
    public int MinImageHeight { get; init; } = 560;
    public int MaxImageHeight { get; init; } = 1400;

    /// <summary>The stitched levels: stride (pixels) and anchors per cell; BlazeFace back at native resolution.</summary>
    public (int Stride, int Anchors)[] Levels { get; init; } = [(16, 2), (32, 6)];

    /// <summary>Faces at least this tall go to the coarse level (BlazeFace back: the 8×8 level sees faces from about 64 px in a 256 tile).</summary>
    public int CoarseLevelMinFace { get; init; } = 64;

    /// <summary>Background logit (mean, spread) per level, measured on BlazeFace back tiles over WIDER val (last entry repeats).</summary>
    public (double Mean, double Spread)[] BackgroundLogits { get; init; } = [(-3.2, 0.7), (-7.3, 3.5)];

    /// <summary>
    /// Ceiling of background logits (−1: score 0.27). The Gaussian background matches BlazeFace's
    /// mean and spread but not its tail: uncapped, dozens of background anchors per image outscore
    /// real faces and nms AP drops to a few percent, far from what the real detector scores on
    /// WIDER. Confident false positives come from <see cref="ClutterPerImage"/> instead.
    /// </summary>
    public double BackgroundMaxLogit { get; init; } = -1.0;

    /// <summary>Mean number of clutter false positives per image.</summary>
    public double ClutterPerImage { get; init; } = 2.5;
}

/// <summary>
/// The built-in detector when no dataset is present: deterministic WIDER-like images whose faces
/// follow WIDER's size spread (crowds of faces under 30 px, groups, portraits over 300 px), with
/// easy/medium/hard labels from size, blur and occlusion, and dense candidate maps shaped like
/// BlazeFace's tiled output: a score blob with box jitter around every detected face, misses for
/// tiny, blurred and occluded faces, clutter false positives and overlapping faces. Everything is
/// generated from (seed, image index) with <see cref="Pcg32"/> and arithmetic-only maths, so a seed
/// gives the same maps on every machine; <see cref="Load"/> is thread-safe.
/// </summary>
public sealed class SyntheticCandidateSource : ICandidateSource
{
    public const int GeneratorVersion = 2;

    private const int LayoutPurpose = 1;
    private const int MapPurpose = 2;

    private readonly int _seed;
    private readonly SyntheticOptions _options;
    private readonly Face[][] _faces;

    /// <summary>A synthetic face: integer WIDER box plus the attributes that set its label and its detectability.</summary>
    private readonly record struct Face(int X, int Y, int W, int H, int Blur, int Occlusion);

    public SyntheticCandidateSource(int seed, int imageCount, SyntheticOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imageCount);
        _seed = seed;
        _options = options ?? new SyntheticOptions();
        var images = new ImageRef[imageCount];
        var gt = new GroundTruthImage[imageCount];
        _faces = new Face[imageCount][];
        for (var i = 0; i < imageCount; i++)
        {
            var rng = Pcg32.For(seed, i, LayoutPurpose);
            var height = rng.NextInt(_options.MinImageHeight, _options.MaxImageHeight);
            var scene = rng.NextDouble();
            // WIDER val: median 3 faces per image, 17 % of images with 15 or more
            var (ev, faces) = scene < 0.17 ? ("0--Crowd", Crowd(ref rng, _options.ImageWidth, height))
                : scene < 0.47 ? ("1--Group", Group(ref rng, _options.ImageWidth, height))
                : ("2--Portrait", Portrait(ref rng, _options.ImageWidth, height));
            _faces[i] = faces;
            var key = string.Create(CultureInfo.InvariantCulture, $"synthetic_{seed}_{i:D5}");
            images[i] = new ImageRef(ev, key, null, _options.ImageWidth, height);
            gt[i] = new GroundTruthImage
            {
                Event = ev,
                ImageKey = key,
                Boxes = faces.Select(f => new GtBox(f.X, f.Y, f.W, f.H)).ToArray(),
                Counted = faces.Select(Label).ToArray(),
            };
        }
        Images = images;
        GroundTruth = new GroundTruth { Images = gt, Source = Describe() };
    }

    public IReadOnlyList<ImageRef> Images { get; }
    public GroundTruth GroundTruth { get; }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"synthetic(seed={_seed},images={_faces.Length},v={GeneratorVersion},width={_options.ImageWidth},heights={_options.MinImageHeight}-{_options.MaxImageHeight},levels=[{string.Join(";", _options.Levels.Select(l => $"{l.Stride}x{l.Anchors}"))}],background=[{string.Join(";", _options.BackgroundLogits.Select(b => $"{b.Mean},{b.Spread}"))}],coarse={_options.CoarseLevelMinFace},clutter={_options.ClutterPerImage})");

    /// <summary>Easy ⊂ medium ⊂ hard by size and visibility; faces under 6 px are in no setting (WIDER ignores them too).</summary>
    private static SettingMask Label(Face f)
    {
        if (f.H < 6) return SettingMask.None;
        if (f.H >= 40 && f.Blur == 0 && f.Occlusion == 0) return SettingMask.All;
        if (f.H >= 15 && f.Blur <= 1 && f.Occlusion <= 1) return SettingMask.Medium | SettingMask.Hard;
        return SettingMask.Hard;
    }

    // tuned so that, over faces, about 64 % are under 30 px, 1 % over 300 px and the median is about 22 px (WIDER val: 66 %, 1.1 %, 20 px)
    private static Face[] Crowd(ref Pcg32 rng, int w, int h) => Faces(ref rng, w, h, rng.NextInt(15, 80), medianHeight: 17, logSpread: 0.6);
    private static Face[] Group(ref Pcg32 rng, int w, int h) => Faces(ref rng, w, h, rng.NextInt(4, 14), medianHeight: 40, logSpread: 0.6);
    private static Face[] Portrait(ref Pcg32 rng, int w, int h) => Faces(ref rng, w, h, rng.NextInt(1, 3), medianHeight: 100, logSpread: 0.9);

    private static Face[] Faces(ref Pcg32 rng, int width, int height, int count, double medianHeight, double logSpread)
    {
        var faces = new Face[count];
        var logMedian = Log(medianHeight);
        for (var i = 0; i < count; i++)
        {
            var fh = (int)Math.Clamp(DeterministicMath.Exp(logMedian + (logSpread * rng.Normal())), 3, 0.8 * Math.Min(width, height));
            var fw = Math.Max(2, (int)(fh * rng.Uniform(0.7, 0.9)));
            int x, y;
            if (i > 0 && rng.NextDouble() < 0.15)
            {
                // an overlapping neighbour: same size, shifted by about half a face
                var prev = faces[i - 1];
                fh = prev.H;
                fw = prev.W;
                x = prev.X + (int)(prev.W * rng.Uniform(0.35, 0.7) * (rng.NextDouble() < 0.5 ? -1 : 1));
                y = prev.Y + (int)(prev.H * rng.Uniform(-0.25, 0.25));
            }
            else
            {
                x = rng.NextInt(0, Math.Max(0, width - fw));
                y = rng.NextInt(0, Math.Max(0, height - fh));
            }
            x = Math.Clamp(x, 0, Math.Max(0, width - fw));
            y = Math.Clamp(y, 0, Math.Max(0, height - fh));
            // small faces in WIDER are more often blurred
            var blurRoll = rng.NextDouble() + (fh < 20 ? 0.25 : 0);
            var blur = blurRoll < 0.55 ? 0 : blurRoll < 0.85 ? 1 : 2;
            var occRoll = rng.NextDouble();
            var occlusion = occRoll < 0.6 ? 0 : occRoll < 0.85 ? 1 : 2;
            faces[i] = new Face(x, y, fw, fh, blur, occlusion);
        }
        return faces;
    }

    /// <summary>
    /// One synthetic image of exactly <paramref name="width"/> × <paramref name="height"/> pixels:
    /// benchmarks and GPU checks size their maps by candidate count with it, so every consumer of
    /// synthetic candidates uses this one generator.
    /// </summary>
    public static CandidateMap SingleMap(int width, int height, int seed)
    {
        var options = new SyntheticOptions { ImageWidth = width, MinImageHeight = height, MaxImageHeight = height };
        using var source = new SyntheticCandidateSource(seed, 1, options);
        var map = new CandidateMap();
        source.Load(0, map);
        return map;
    }

    /// <summary>A square synthetic image holding about <paramref name="candidates"/> candidates (14 per 32 × 32 block with the default levels).</summary>
    public static CandidateMap MapWithAbout(int candidates, int seed)
    {
        var side = 32 * Math.Max(1, (int)Math.Round(Math.Sqrt(candidates / 14.0)));
        return SingleMap(side, side, seed);
    }

    public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default)
    {
        var image = Images[index];
        var levels = new (int, int, int, float)[_options.Levels.Length];
        for (var l = 0; l < levels.Length; l++)
        {
            var (stride, anchors) = _options.Levels[l];
            levels[l] = ((image.Height + stride - 1) / stride, (image.Width + stride - 1) / stride, anchors, stride);
        }
        map.Reset(levels);
        map.Event = image.Event;
        map.ImageKey = image.ImageKey;
        map.ImageWidth = image.Width;
        map.ImageHeight = image.Height;
        var rng = Pcg32.For(_seed, index, MapPurpose);
        Background(ref rng, map);
        foreach (var face in _faces[index])
        {
            var tiny = Math.Clamp((face.H - 8) / 20.0, 0, 1);
            var pDetect = tiny * (face.Blur == 2 ? 0.5 : 1) * (face.Occlusion == 2 ? 0.6 : 1);
            var roll = rng.NextDouble();
            if (roll >= pDetect) continue;
            var peak = 0.45 + (0.54 * rng.NextDouble() * (face.Blur == 0 ? 1 : 0.8) * (face.Occlusion == 0 ? 1 : 0.85));
            var level = face.H >= _options.CoarseLevelMinFace && _options.Levels.Length > 1 ? 1 : 0;
            Blob(ref rng, map, level, face.X, face.Y, face.W, face.H, peak);
            // the neighbouring level fires too, more weakly (BlazeFace's two heads overlap in scale)
            var other = level == 0 ? 1 : 0;
            if (other < _options.Levels.Length && rng.NextDouble() < 0.6) Blob(ref rng, map, other, face.X, face.Y, face.W, face.H, peak * rng.Uniform(0.3, 0.7));
        }
        var clutter = Poisson(ref rng, _options.ClutterPerImage);
        for (var c = 0; c < clutter; c++)
        {
            var h = (int)rng.Uniform(10, 150);
            var w = (int)(h * rng.Uniform(0.6, 1.1));
            var x = rng.NextInt(0, Math.Max(0, image.Width - w));
            var y = rng.NextInt(0, Math.Max(0, image.Height - h));
            Blob(ref rng, map, h >= _options.CoarseLevelMinFace && _options.Levels.Length > 1 ? 1 : 0, x, y, w, h, rng.Uniform(0.25, 0.85));
        }
    }

    /// <summary>
    /// Background scores as BlazeFace back produces them on WIDER tiles (measured on val images):
    /// the fine level sits around 0.04 (three quarters of its candidates pass 0.02), the coarse
    /// level around 0.001 with a long tail, and flat regions (sky, walls) score near zero. The
    /// logit is a smooth field (bilinear over a lattice every <see cref="LatticeCells"/> cells) plus
    /// per-candidate noise, so grid methods see realistic local structure rather than white noise.
    /// Boxes are anchor-sized around each cell centre.
    /// </summary>
    private void Background(ref Pcg32 rng, CandidateMap map)
    {
        for (var l = 0; l < map.Levels.Length; l++)
        {
            var level = map.Levels[l];
            var (mean, spread) = _options.BackgroundLogits[Math.Min(l, _options.BackgroundLogits.Length - 1)];
            var field = SmoothField(ref rng, level.Height, level.Width);
            var flat = SmoothField(ref rng, level.Height, level.Width);
            var s = level.Stride;
            for (var y = 0; y < level.Height; y++)
            {
                for (var x = 0; x < level.Width; x++)
                {
                    var cx = (x + 0.5) * s;
                    var cy = (y + 0.5) * s;
                    var isFlat = flat[(y * level.Width) + x] < FlatThreshold;
                    var smooth = field[(y * level.Width) + x];
                    for (var a = 0; a < level.Anchors; a++)
                    {
                        var noise = rng.Normal();
                        var logit = isFlat ? -20.0 + noise : Math.Min(_options.BackgroundMaxLogit, mean + (spread * ((0.8 * smooth) + (0.6 * noise))));
                        var half = 0.5 * s * rng.Uniform(1.0, 3.0);
                        map.Set(level.FlatIndex(y, x, a), (float)DeterministicMath.Sigmoid(logit), (float)(cx - half), (float)(cy - half), (float)(cx + half), (float)(cy + half));
                    }
                }
            }
        }
    }

    private const int LatticeCells = 4;

    /// <summary>About 10 % of a bilinear field of unit normals lies below this (the flat regions).</summary>
    private const double FlatThreshold = -0.8;

    /// <summary>Unit normals on a lattice every <see cref="LatticeCells"/> cells, bilinearly interpolated, rescaled to unit variance at the lattice points.</summary>
    private static double[] SmoothField(ref Pcg32 rng, int height, int width)
    {
        var lh = (height / LatticeCells) + 2;
        var lw = (width / LatticeCells) + 2;
        var lattice = new double[lh * lw];
        for (var i = 0; i < lattice.Length; i++) lattice[i] = rng.Normal();
        var field = new double[height * width];
        for (var y = 0; y < height; y++)
        {
            var gy = y / LatticeCells;
            var fy = (y % LatticeCells) / (double)LatticeCells;
            for (var x = 0; x < width; x++)
            {
                var gx = x / LatticeCells;
                var fx = (x % LatticeCells) / (double)LatticeCells;
                var top = lattice[(gy * lw) + gx] + (fx * (lattice[(gy * lw) + gx + 1] - lattice[(gy * lw) + gx]));
                var bottom = lattice[((gy + 1) * lw) + gx] + (fx * (lattice[((gy + 1) * lw) + gx + 1] - lattice[((gy + 1) * lw) + gx]));
                field[(y * width) + x] = top + (fy * (bottom - top));
            }
        }
        return field;
    }

    /// <summary>A Gaussian score bump centred on a box; each candidate it raises gets a jittered copy of the box, more jittered away from the centre.</summary>
    private static void Blob(ref Pcg32 rng, CandidateMap map, int levelIndex, int bx, int by, int bw, int bh, double peak)
    {
        var level = map.Levels[levelIndex];
        var s = level.Stride;
        var sigma = Math.Max(0.6, 0.25 * bh / s);
        var fx = ((bx + (0.5 * bw)) / s) - 0.5;
        var fy = ((by + (0.5 * bh)) / s) - 0.5;
        var reach = (int)(3 * sigma) + 1;
        var x0 = Math.Max(0, (int)fx - reach);
        var x1 = Math.Min(level.Width - 1, (int)fx + reach + 1);
        var y0 = Math.Max(0, (int)fy - reach);
        var y1 = Math.Min(level.Height - 1, (int)fy + reach + 1);
        var inv2s2 = 1.0 / (2 * sigma * sigma);
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var d2 = ((x - fx) * (x - fx)) + ((y - fy) * (y - fy));
                var g = DeterministicMath.Exp(-d2 * inv2s2);
                if (g < 0.01) continue;
                for (var a = 0; a < level.Anchors; a++)
                {
                    var score = peak * g * rng.Uniform(0.8, 1.0);
                    var i = level.FlatIndex(y, x, a);
                    if (score <= map.Scores[i]) continue;
                    var jitter = 0.04 + (0.12 * (1 - g));
                    var cx = bx + (0.5 * bw) + (jitter * bw * rng.Normal());
                    var cy = by + (0.5 * bh) + (jitter * bh * rng.Normal());
                    var w = bw * (1 + (jitter * rng.Normal()));
                    var h = bh * (1 + (jitter * rng.Normal()));
                    map.Set(i, (float)score, (float)(cx - (0.5 * w)), (float)(cy - (0.5 * h)), (float)(cx + (0.5 * w)), (float)(cy + (0.5 * h)));
                }
            }
        }
    }

    private static int Poisson(ref Pcg32 rng, double mean)
    {
        var limit = DeterministicMath.Exp(-mean);
        var k = 0;
        var p = rng.NextDouble();
        while (p > limit && k < 100)
        {
            k++;
            p *= rng.NextDouble();
        }
        return k;
    }

    /// <summary>Natural log by Newton's method on <see cref="DeterministicMath.Exp"/> (only used for a handful of constants per image).</summary>
    private static double Log(double x)
    {
        var y = 0.0;
        var m = x;
        while (m > 2) { m *= 0.5; y += 0.69314718055994531; }
        var z = m - 1;
        for (var i = 0; i < 30; i++) z -= 1 - (x / DeterministicMath.Exp(y + z));
        return y + z;
    }

    public void Dispose() { }
}
