using EvalHarness.PostProcessing;

namespace EvalHarness.Backends;

/// <summary>
/// The <c>scalar</c> backend: every variant written to be obviously right, the oracle the SIMD and
/// GPU backends are tested against. Buffers live in the instance, so after the first images it
/// allocates nothing; one instance serves one thread at a time.
/// </summary>
public sealed class ScalarBackend : IPostProcessingBackend
{
    private readonly ScalarWorkspace _ws = new();

    public string Name => "scalar";

    public string Device => "CPU (scalar)";

    public bool Supports(VariantKind kind) => true;

    public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(output);
        var preTopK = variant.EffectivePreTopK(flatInput);
        var keepTopK = variant.EffectiveKeepTopK(flatInput);

        if (variant.Kind.IsNmsFamily())
        {
            CandidateSelectionScalar.Threshold(map, variant.ScoreThreshold, _ws.Passing);
            CandidateSelectionScalar.SortAndCap(_ws.Passing, preTopK, _ws, _ws.Sorted);
            RunNmsFamily(variant, keepTopK, _ws.Sorted, output);
            return;
        }

        var emitted = variant.Kind.HasNmsStage() ? _ws.Emitted : output;
        if (variant.Kind.IsGradientClipping()) GradientClippingScalar.Run(map, variant, _ws, emitted);
        else PeakScalar.Run(map, variant.ScoreThreshold, _ws, emitted);
        if (!variant.Kind.HasNmsStage()) return;

        // The NMS stage has its own score ≥ τs entry: with emit=acc a survivor's emitted S̃ can be
        // below τs although its S passed the confidence clip.
        CandidateSelectionScalar.Threshold(emitted, variant.ScoreThreshold, _ws.Passing);
        CandidateSelectionScalar.SortAndCap(_ws.Passing, preTopK, _ws, _ws.Sorted);
        NmsScalar.Greedy(_ws.Sorted, variant.IouThreshold, keepTopK, output);
    }

    private void RunNmsFamily(VariantSpec variant, int keepTopK, DetectionList sorted, DetectionList output)
    {
        switch (variant.Kind)
        {
            case VariantKind.Nms:
                NmsScalar.Greedy(sorted, variant.IouThreshold, keepTopK, output);
                break;
            case VariantKind.FastNms:
                NmsScalar.Fast(sorted, variant.IouThreshold, keepTopK, output);
                break;
            case VariantKind.SoftNmsLinear or VariantKind.SoftNmsGaussian:
                SoftNmsScalar.Run(sorted, variant.Kind == VariantKind.SoftNmsGaussian, variant.IouThreshold, variant.Sigma,
                                  variant.ScoreThreshold, keepTopK, _ws, output);
                break;
            case VariantKind.WeightedNms:
                WeightedNmsScalar.Run(sorted, variant.IouThreshold, keepTopK, _ws, output);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant.Kind, "not an NMS-family variant");
        }
    }

    public void Dispose() { }
}
