using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.Decoders;

/// <summary>
/// MediaPipe BlazeFace (keijiro's Barracuda ONNX export, front 128 and back 256): two levels,
/// a 16×16 grid with 2 anchors and an 8×8 grid with 6 anchors, whatever the input size; the
/// strides are therefore S/16 and S/8. Anchor (row, col) sits at the cell centre; each anchor
/// regresses 16 values: box centre offset, box size, six keypoints, all in input pixels.
/// The decoding follows keijiro's Postprocess1 kernel without its texture V-flip.
/// </summary>
internal sealed class BlazeFaceDecoder : IDetectionDecoder
{
    public const string InputName = "input:0";
    public const int Values = 16;
    public const int BlazeFaceKeypoints = 6;

    private static readonly (int Grid, int Anchors, string Scores, string Regressors)[] LevelLayout =
    [
        (16, 2, "Identity:0", "Identity_2:0"),
        (8, 6, "Identity_1:0", "Identity_3:0"),
    ];

    public int InputSize { get; }
    public ModelInputSpec Input { get; }
    public IReadOnlyList<OutputTensorSpec> Outputs { get; }
    public IReadOnlyList<DecoderLevel> Levels { get; }
    public int KeypointCount => BlazeFaceKeypoints;

    /// <param name="inputSize">128 for the front model, 256 for the back model (any multiple of 16 for a re-export).</param>
    public BlazeFaceDecoder(int inputSize)
    {
        if (inputSize <= 0 || inputSize % 16 != 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "BlazeFace input size must be a positive multiple of 16");
        InputSize = inputSize;
        Input = new ModelInputSpec(InputName, inputSize, inputSize, TensorLayout.Nhwc, ChannelOrder.Rgb, [127.5f, 127.5f, 127.5f], [127.5f, 127.5f, 127.5f], -1f);
        var levels = new List<DecoderLevel>();
        var outputs = new List<OutputTensorSpec>();
        foreach (var (grid, anchors, _, _) in LevelLayout)
        {
            levels.Add(new DecoderLevel(grid, grid, anchors, inputSize / grid));
        }
        // output order: both score tensors, then both regressor tensors (the model's own order)
        foreach (var (grid, anchors, scores, _) in LevelLayout) outputs.Add(new OutputTensorSpec(scores, [1, grid * grid * anchors, 1]));
        foreach (var (grid, anchors, _, regressors) in LevelLayout) outputs.Add(new OutputTensorSpec(regressors, [1, grid * grid * anchors, Values]));
        Levels = levels;
        Outputs = outputs;
    }

    public string Describe() => $"blazeface(S={InputSize})";

    public void Decode(IReadOnlyList<float[]> outputs, CandidateMap map)
    {
        if (outputs.Count != 4) throw new ArgumentException($"BlazeFace decodes 4 outputs, got {outputs.Count}", nameof(outputs));
        for (var level = 0; level < Levels.Count; level++)
        {
            DecodeLevel(Levels[level], map.Levels[level].Offset, outputs[level], outputs[level + 2], map);
        }
    }

    private static void DecodeLevel(DecoderLevel level, int offset, float[] logits, float[] regressors, CandidateMap map)
    {
        var stride = (float)level.Stride;
        var keypoints = map.Keypoints;
        for (var row = 0; row < level.GridHeight; row++)
        {
            var ay = (row + 0.5f) * stride;
            for (var col = 0; col < level.GridWidth; col++)
            {
                var ax = (col + 0.5f) * stride;
                for (var a = 0; a < level.Anchors; a++)
                {
                    var local = ((row * level.GridWidth) + col) * level.Anchors + a;
                    var r = regressors.AsSpan(local * Values, Values);
                    // r/S in normalised units times S input pixels = r input pixels
                    var cx = ax + r[0];
                    var cy = ay + r[1];
                    var halfW = r[2] * 0.5f;
                    var halfH = r[3] * 0.5f;
                    var flat = offset + local;
                    map.Set(flat, DetectionDecoderExtensions.Sigmoid(logits[local]), cx - halfW, cy - halfH, cx + halfW, cy + halfH);
                    var k = flat * BlazeFaceKeypoints * 2;
                    for (var i = 0; i < BlazeFaceKeypoints; i++)
                    {
                        keypoints[k + (2 * i)] = ax + r[4 + (2 * i)];
                        keypoints[k + (2 * i) + 1] = ay + r[5 + (2 * i)];
                    }
                }
            }
        }
    }
}
