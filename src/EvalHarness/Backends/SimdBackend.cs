using System.Runtime.Intrinsics;
using EvalHarness.PostProcessing;

namespace EvalHarness.Backends;

/// <summary>
/// The <c>simd</c> backend: every variant with System.Runtime.Intrinsics at the widest width the
/// hardware accelerates (Vector512, else 256, else 128), returning what <see cref="ScalarBackend"/>
/// returns (the spec's equivalence rule; in practice bit-identical). Buffers live in the instance,
/// so steady state allocates nothing; one instance serves one thread at a time.
/// </summary>
public sealed class SimdBackend : IPostProcessingBackend
{
    private readonly SimdWorkspace _ws = new();

    public SimdBackend() : this(SimdWidth.Auto) { }

    /// <summary>Forces a vector width (tests run every width on any machine; an unaccelerated width is emulated).</summary>
    internal SimdBackend(SimdWidth width)
    {
        Width = SimdWidths.Resolve(width);
    }

    internal SimdWidth Width { get; }

    public string Name => "simd";

    public string Device => SimdWidths.Describe(Width);

    public bool Supports(VariantKind kind) => true;

    public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(output);
        switch (Width)
        {
            case SimdWidth.Bits512: Run<Simd512, Vector512<float>>(map, variant, output, flatInput); break;
            case SimdWidth.Bits256: Run<Simd256, Vector256<float>>(map, variant, output, flatInput); break;
            default: Run<Simd128, Vector128<float>>(map, variant, output, flatInput); break;
        }
    }

    private void Run<TOps, TV>(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        var preTopK = variant.EffectivePreTopK(flatInput);
        var p = NmsParameters.Of(variant, variant.EffectiveKeepTopK(flatInput));
        var kind = variant.Kind;

        if (kind.IsNmsFamily())
        {
            CandidateSelectionSimd.FromMap<TOps, TV>(map, variant.ScoreThreshold, preTopK, _ws.Sort, _ws.Sorted);
        }
        else
        {
            var emitted = kind.HasNmsStage() ? _ws.Emitted : output;
            if (kind.IsGradientClipping()) GridSimd.GradientClipping<TOps, TV>(map, variant, _ws.Planes, emitted);
            else GridSimd.Peak<TOps, TV>(map, variant.ScoreThreshold, _ws.Planes, emitted);
            if (!kind.HasNmsStage()) return;
            // As in the scalar backend: the NMS stage's score ≥ τs entry applies to the emitted scores.
            CandidateSelectionSimd.FromList<TOps, TV>(emitted, variant.ScoreThreshold, preTopK, _ws.Sort, _ws.Sorted);
        }

        switch (kind)
        {
            case VariantKind.FastNms: NmsSimd.Fast<TOps, TV>(_ws.Sorted, p, output); break;
            case VariantKind.SoftNmsLinear: SoftNmsSimd.Run<TOps, TV>(_ws.Sorted, p, gaussian: false, _ws.Nms, output); break;
            case VariantKind.SoftNmsGaussian: SoftNmsSimd.Run<TOps, TV>(_ws.Sorted, p, gaussian: true, _ws.Nms, output); break;
            case VariantKind.WeightedNms: WeightedNmsSimd.Run<TOps, TV>(_ws.Sorted, p, output); break;
            default: NmsSimd.Greedy<TOps, TV>(_ws.Sorted, p, _ws.Nms, output); break; // nms, and the grid variants' NMS stage
        }
    }

    public void Dispose() { }
}
