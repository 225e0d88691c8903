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
        var p = NmsParameters.Of(variant, variant.EffectiveKeepTopK(flatInput));
        var kind = variant.Kind;

        if (kind.IsNmsFamily())
        {
            CandidateSelectionScalar.Threshold(map, variant.ScoreThreshold, _ws.Passing);
        }
        else
        {
            var emitted = kind.HasNmsStage() ? _ws.Emitted : output;
            if (kind.IsGradientClipping()) GradientClippingScalar.Run(map, variant, _ws.Planes, emitted);
            else PeakScalar.Run(map, variant.ScoreThreshold, _ws.Planes, emitted);
            if (!kind.HasNmsStage()) return;
            // The NMS stage has its own score ≥ τs entry: with emit=acc a survivor's emitted S̃ can be
            // below τs although its S passed the confidence clip.
            CandidateSelectionScalar.Threshold(emitted, variant.ScoreThreshold, _ws.Passing);
        }
        CandidateSelectionScalar.SortAndCap(_ws.Passing, preTopK, _ws.Sort, _ws.Sorted);

        switch (kind)
        {
            case VariantKind.FastNms: NmsScalar.Fast(_ws.Sorted, p, output); break;
            case VariantKind.SoftNmsLinear: SoftNmsScalar.Run(_ws.Sorted, p, gaussian: false, _ws.Nms, output); break;
            case VariantKind.SoftNmsGaussian: SoftNmsScalar.Run(_ws.Sorted, p, gaussian: true, _ws.Nms, output); break;
            case VariantKind.WeightedNms: WeightedNmsScalar.Run(_ws.Sorted, p, _ws.Nms, output); break;
            default: NmsScalar.Greedy(_ws.Sorted, p, output); break; // nms, and the grid variants' NMS stage
        }
    }

    public void Dispose() { }
}
