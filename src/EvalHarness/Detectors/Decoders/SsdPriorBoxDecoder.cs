using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.Decoders;

/// <summary>What the confidence output holds per prior.</summary>
internal enum ScoreActivation
{
    /// <summary>Raw logits over <c>Classes</c> classes; the face probability is their softmax.</summary>
    Softmax,
    /// <summary>One logit per class; the face probability is its sigmoid.</summary>
    Sigmoid,
    /// <summary>Probabilities already (UltraFace's exported <c>scores</c>).</summary>
    None,
}

/// <summary>
/// The SSD prior-box layout of RetinaFace / UltraFace (Pytorch_Retinaface's <c>PriorBox</c> and
/// <c>decode</c>): level k has a <c>ceil(H/step) × ceil(W/step)</c> grid with one prior per entry of
/// <c>MinSizes[k]</c>, centred on the cell, square, <c>min_size</c> pixels wide.
/// </summary>
internal sealed record SsdDecoderOptions
{
    public required string LocOutput { get; init; }
    public required string ConfOutput { get; init; }
    /// <summary>Optional landmark output <c>[1, N, 2·LandmarkCount]</c> (RetinaFace: 5 points).</summary>
    public string? LandmarkOutput { get; init; }
    public int LandmarkCount { get; init; }
    public required int[] Steps { get; init; }
    public required float[][] MinSizes { get; init; }
    public float CenterVariance { get; init; } = 0.1f;
    public float SizeVariance { get; init; } = 0.2f;
    public ScoreActivation Activation { get; init; } = ScoreActivation.Softmax;
    public int Classes { get; init; } = 2;
    public int FaceClass { get; init; } = 1;
}

/// <summary>Decodes SSD-style <c>[loc, conf(, landmarks)]</c> outputs against generated priors; see <see cref="SsdDecoderOptions"/>.</summary>
internal sealed class SsdPriorBoxDecoder : IDetectionDecoder
{
    private readonly SsdDecoderOptions _options;
    private readonly int _priorCount;

    public ModelInputSpec Input { get; }
    public IReadOnlyList<OutputTensorSpec> Outputs { get; }
    public IReadOnlyList<DecoderLevel> Levels { get; }
    public int KeypointCount => _options.LandmarkOutput is null ? 0 : _options.LandmarkCount;

    public SsdPriorBoxDecoder(ModelInputSpec input, SsdDecoderOptions options)
    {
        if (options.Steps.Length == 0 || options.Steps.Length != options.MinSizes.Length)
            throw new ArgumentException($"SSD decoder needs one min-size list per step (steps {options.Steps.Length}, min sizes {options.MinSizes.Length})", nameof(options));
        if (options.Classes < 1 || options.FaceClass < 0 || options.FaceClass >= options.Classes)
            throw new ArgumentException($"SSD decoder face class {options.FaceClass} is outside 0..{options.Classes - 1}", nameof(options));
        if (options.LandmarkOutput is not null && options.LandmarkCount <= 0)
            throw new ArgumentException("SSD decoder with a landmark output needs LandmarkCount > 0", nameof(options));
        Input = input;
        _options = options;
        var levels = new List<DecoderLevel>();
        for (var k = 0; k < options.Steps.Length; k++)
        {
            var step = options.Steps[k];
            if (step <= 0 || options.MinSizes[k].Length == 0) throw new ArgumentException($"SSD level {k}: step {step} with {options.MinSizes[k].Length} min sizes", nameof(options));
            var level = new DecoderLevel((input.Height + step - 1) / step, (input.Width + step - 1) / step, options.MinSizes[k].Length, step);
            levels.Add(level);
            _priorCount += level.Count;
        }
        Levels = levels;
        var outputs = new List<OutputTensorSpec>
        {
            new(options.LocOutput, [1, _priorCount, 4]),
            new(options.ConfOutput, [1, _priorCount, options.Classes]),
        };
        if (options.LandmarkOutput is not null) outputs.Add(new OutputTensorSpec(options.LandmarkOutput, [1, _priorCount, 2 * options.LandmarkCount]));
        Outputs = outputs;
    }

    public string Describe() =>
        $"ssd(input={Input.Width}x{Input.Height},steps=[{string.Join(',', _options.Steps)}],min=[{string.Join(';', _options.MinSizes.Select(m => string.Join(',', m)))}]," +
        $"var=[{_options.CenterVariance},{_options.SizeVariance}],act={_options.Activation},face={_options.FaceClass}/{_options.Classes})";

    public void Decode(IReadOnlyList<float[]> outputs, CandidateMap map)
    {
        if (outputs.Count != Outputs.Count) throw new ArgumentException($"SSD decoder reads {Outputs.Count} outputs, got {outputs.Count}", nameof(outputs));
        var loc = outputs[0];
        var conf = outputs[1];
        var landmarks = _options.LandmarkOutput is null ? null : outputs[2];
        var classes = Outputs[1].Shape[2];
        var cv = _options.CenterVariance;
        var sv = _options.SizeVariance;
        var prior = 0;
        for (var k = 0; k < Levels.Count; k++)
        {
            var level = Levels[k];
            var sizes = _options.MinSizes[k];
            for (var y = 0; y < level.GridHeight; y++)
            {
                var py = (y + 0.5f) * level.Stride;
                for (var x = 0; x < level.GridWidth; x++)
                {
                    var px = (x + 0.5f) * level.Stride;
                    for (var a = 0; a < sizes.Length; a++, prior++)
                    {
                        var size = sizes[a];
                        var l = loc.AsSpan(prior * 4, 4);
                        var cx = px + (l[0] * cv * size);
                        var cy = py + (l[1] * cv * size);
                        var halfW = 0.5f * size * MathF.Exp(l[2] * sv);
                        var halfH = 0.5f * size * MathF.Exp(l[3] * sv);
                        map.Set(prior, FaceScore(conf.AsSpan(prior * classes, classes)), cx - halfW, cy - halfH, cx + halfW, cy + halfH);
                        if (landmarks is not null)
                        {
                            var n = 2 * _options.LandmarkCount;
                            var src = landmarks.AsSpan(prior * n, n);
                            var dst = map.Keypoints.AsSpan(prior * n, n);
                            for (var i = 0; i < n; i += 2)
                            {
                                dst[i] = px + (src[i] * cv * size);
                                dst[i + 1] = py + (src[i + 1] * cv * size);
                            }
                        }
                    }
                }
            }
        }
    }

    private float FaceScore(ReadOnlySpan<float> logits)
    {
        var face = logits[Math.Min(_options.FaceClass, logits.Length - 1)];
        switch (_options.Activation)
        {
            case ScoreActivation.None:
                return face;
            case ScoreActivation.Sigmoid:
                return DetectionDecoderExtensions.Sigmoid(face);
            default:
                var max = float.NegativeInfinity;
                foreach (var v in logits)
                {
                    if (float.IsNaN(v)) return float.NaN;
                    max = Math.Max(max, v);
                }
                double sum = 0;
                foreach (var v in logits) sum += Math.Exp(v - max);
                return (float)(Math.Exp(face - max) / sum);
        }
    }
}
