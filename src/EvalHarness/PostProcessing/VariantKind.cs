namespace EvalHarness.PostProcessing;

/// <summary>The variants of <c>shared/spec/postprocessing.md</c>; their string ids live in <see cref="VariantRegistry"/>.</summary>
public enum VariantKind
{
    Nms,
    SoftNmsLinear,
    SoftNmsGaussian,
    WeightedNms,
    FastNms,
    Peak3x3,
    Peak3x3Nms,
    Gc,
    GcNms,
    GcMagNms,
}

internal static class VariantKindExtensions
{
    /// <summary>Variants that walk a sorted candidate list (they accept a flat list as input).</summary>
    public static bool IsNmsFamily(this VariantKind kind) => kind is VariantKind.Nms or VariantKind.SoftNmsLinear
        or VariantKind.SoftNmsGaussian or VariantKind.WeightedNms or VariantKind.FastNms;

    /// <summary>Grid variants followed by a greedy <c>nms</c> over their emitted boxes.</summary>
    public static bool HasNmsStage(this VariantKind kind) => kind is VariantKind.Peak3x3Nms or VariantKind.GcNms or VariantKind.GcMagNms;

    public static bool IsGradientClipping(this VariantKind kind) => kind is VariantKind.Gc or VariantKind.GcNms or VariantKind.GcMagNms;

    /// <summary>The spec's equivalence class: exact indices and 1e-6 scores, or same set with 1e-5 relative.</summary>
    public static bool IsExactEquivalence(this VariantKind kind) => kind is not (VariantKind.SoftNmsLinear or VariantKind.SoftNmsGaussian or VariantKind.WeightedNms);
}
