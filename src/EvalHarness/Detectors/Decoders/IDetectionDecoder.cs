using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.Decoders;

/// <summary>How a model wants its input tensor laid out.</summary>
public enum TensorLayout
{
    /// <summary><c>[1, H, W, C]</c> (TensorFlow / BlazeFace).</summary>
    Nhwc,
    /// <summary><c>[1, C, H, W]</c> (PyTorch exports: RetinaFace, UltraFace).</summary>
    Nchw,
}

public enum ChannelOrder
{
    Rgb,
    Bgr,
}

/// <summary>
/// The model's single image input: value = (pixel − Mean[c]) / Std[c] with pixel in 0..255, in
/// <see cref="Order"/>; pixels outside the image (letterbox bars, edge tiles) get <see cref="PadValue"/>
/// (already normalised, e.g. −1 for BlazeFace, i.e. black).
/// </summary>
public sealed record ModelInputSpec(
    string Name,
    int Width,
    int Height,
    TensorLayout Layout,
    ChannelOrder Order,
    float[] Mean,
    float[] Std,
    float PadValue)
{
    public int ElementCount => Width * Height * 3;

    /// <summary>Per-channel pad values (tensor channel order) where one <see cref="PadValue"/> does not fit, e.g. a black pixel under a per-channel mean; null = <see cref="PadValue"/> everywhere.</summary>
    public float[]? ChannelPadValues { get; init; }

    public long[] Shape => Layout == TensorLayout.Nhwc ? [1, Height, Width, 3] : [1, 3, Height, Width];
}

/// <summary>A model output the decoder reads; −1 in <see cref="Shape"/> matches any size (a dynamic axis).</summary>
public sealed record OutputTensorSpec(string Name, int[] Shape)
{
    public int ElementCount
    {
        get
        {
            var n = 1;
            foreach (var d in Shape) n *= Math.Max(d, 1);
            return n;
        }
    }
}

/// <summary>One output level of a decoder: a grid of cells with <see cref="Anchors"/> anchors each, <see cref="Stride"/> input pixels apart.</summary>
public readonly record struct DecoderLevel(int GridHeight, int GridWidth, int Anchors, int Stride)
{
    public int Count => GridHeight * GridWidth * Anchors;
}

/// <summary>
/// Turns the raw outputs of one inference (one network input: a letterboxed image or one tile)
/// into a dense candidate map in network-input pixels. The front end maps those to original
/// image pixels and stitches tiles, so a decoder knows nothing about images, tiles or scales.
/// </summary>
public interface IDetectionDecoder
{
    /// <summary>A short stable name with the parameters that change the decoding (goes into cache manifests).</summary>
    string Describe();

    ModelInputSpec Input { get; }

    /// <summary>The outputs <see cref="Decode"/> reads, in the order it receives them.</summary>
    IReadOnlyList<OutputTensorSpec> Outputs { get; }

    /// <summary>The levels, in flat-index order (level-major, then y, x, anchor, as the spec fixes).</summary>
    IReadOnlyList<DecoderLevel> Levels { get; }

    int KeypointCount { get; }

    /// <summary>
    /// Decodes <paramref name="outputs"/> (one array per entry of <see cref="Outputs"/>) into
    /// <paramref name="map"/>, which the caller has shaped with <see cref="Levels"/>. Boxes and
    /// keypoints are in network-input pixels; scores are probabilities (NaN passes through so the
    /// caller can name the image it came from).
    /// </summary>
    void Decode(IReadOnlyList<float[]> outputs, CandidateMap map);
}

internal static class DetectionDecoderExtensions
{
    /// <summary>Shapes <paramref name="map"/> with the decoder's levels, strides in network-input pixels.</summary>
    public static void ResetForDecoder(this CandidateMap map, IDetectionDecoder decoder)
    {
        var levels = decoder.Levels;
        Span<(int, int, int, float)> shapes = stackalloc (int, int, int, float)[levels.Count];
        for (var i = 0; i < levels.Count; i++)
        {
            var l = levels[i];
            shapes[i] = (l.GridHeight, l.GridWidth, l.Anchors, l.Stride);
        }
        map.Reset(shapes, decoder.KeypointCount);
    }

    public static int LargestStride(this IDetectionDecoder decoder)
    {
        var s = 1;
        foreach (var l in decoder.Levels) s = Math.Max(s, l.Stride);
        return s;
    }

    /// <summary>Numerically safe logistic: the clamp keeps exp finite, NaN stays NaN.</summary>
    public static float Sigmoid(float logit)
    {
        if (float.IsNaN(logit)) return float.NaN;
        var x = Math.Clamp((double)logit, -100.0, 100.0);
        return (float)(1.0 / (1.0 + Math.Exp(-x)));
    }
}
