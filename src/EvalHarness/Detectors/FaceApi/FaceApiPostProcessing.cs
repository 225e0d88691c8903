using EvalHarness.PostProcessing;

namespace EvalHarness.Detectors.FaceApi;

/// <summary>
/// face-api's own post-processing as harness configuration (spec faceapi-detectors.md §2.7, §3.5):
/// greedy NMS over every candidate above the score threshold, IoU &gt; 0.5 suppresses and at most
/// <c>maxResults</c> boxes for the SSD, IoU &gt; 0.4 and no cap for Tiny. The SSD then clips each
/// kept box to the padded square (not to the image), which <see cref="ClipSsdToPaddedSquare"/> does.
/// Differences that remain by design: the harness keeps <c>score ≥ τs</c> where face-api keeps
/// <c>score &gt; τs</c>, and computes IoU in float32 image pixels where face-api uses float64
/// normalised coordinates (only exact ties at the thresholds can differ).
/// </summary>
public static class FaceApiPostProcessing
{
    /// <summary>The reference run's score threshold (face-api's own default is 0.5).</summary>
    public const float ReferenceMinConfidence = 0.02f;

    /// <summary>The reference run's SSD <c>maxResults</c> (face-api's own default is 100).</summary>
    public const int ReferenceMaxResults = 750;

    public static VariantSpec Variant(FaceApiModelKind kind, float minConfidence = ReferenceMinConfidence, int maxResults = ReferenceMaxResults) => kind == FaceApiModelKind.Ssd
        ? new VariantSpec { Kind = VariantKind.Nms, ScoreThreshold = minConfidence, IouThreshold = 0.5f, PreTopK = FaceApiGraphs.SsdPriorCount, KeepTopK = maxResults }
        : new VariantSpec { Kind = VariantKind.Nms, ScoreThreshold = minConfidence, IouThreshold = 0.4f, PreTopK = TinyCandidates, KeepTopK = TinyCandidates };

    private const int TinyCandidates = FaceApiGraphs.TinyGridSize * FaceApiGraphs.TinyGridSize * FaceApiTinyDecoder.Anchors;

    /// <summary>
    /// face-api SSD's last step in image pixels: clip to the padded square's extent
    /// <c>[0, S·W/round(W·S/M)] × [0, S·H/round(H·S/M)]</c> (face-api's rounding quirk included).
    /// Boxes wholly outside collapse to zero width or height.
    /// </summary>
    public static void ClipSsdToPaddedSquare(DetectionList detections, int imageWidth, int imageHeight)
    {
        var (rw, rh) = FaceApiLetterbox.ReshapedSize(imageWidth, imageHeight, FaceApiGraphs.SsdInputSize);
        var maxX = (float)((double)FaceApiGraphs.SsdInputSize * imageWidth / rw);
        var maxY = (float)((double)FaceApiGraphs.SsdInputSize * imageHeight / rh);
        var clipped = new DetectionList(detections.Count);
        for (var i = 0; i < detections.Count; i++)
        {
            clipped.Add(
                detections.FlatIndex[i], detections.Score[i],
                Math.Clamp(detections.X1[i], 0f, maxX), Math.Clamp(detections.Y1[i], 0f, maxY),
                Math.Clamp(detections.X2[i], 0f, maxX), Math.Clamp(detections.Y2[i], 0f, maxY));
        }
        detections.CopyFrom(clipped);
    }
}
