using System.Globalization;
using System.Text;
using EvalHarness.IO;

namespace EvalHarness.PostProcessing;

/// <summary>
/// A variant as a value: its kind and every parameter of the spec, printable as
/// <c>gc+nms(score=0.02,iou=0.4,r=1,k=2)</c> and parsable back, so a CSV row names exactly what
/// ran. Parameters that a kind does not use are ignored by it and not printed.
/// </summary>
public sealed record VariantSpec
{
    public const float DefaultScoreThreshold = 0.02f;
    public const int DefaultPreTopK = 5000;
    public const int DefaultKeepTopK = 750;

    public required VariantKind Kind { get; init; }

    /// <summary>τs: candidates below it never enter; soft-NMS drops decayed scores below it.</summary>
    public float ScoreThreshold { get; init; } = DefaultScoreThreshold;

    /// <summary>τiou of the NMS stage (unused by <c>soft-nms-gaussian</c>, <c>peak3x3</c> and <c>gc</c>).</summary>
    public float IouThreshold { get; init; } = 0.4f;

    /// <summary>σ of <c>soft-nms-gaussian</c>.</summary>
    public float Sigma { get; init; } = 0.5f;

    /// <summary>Candidates entering the NMS stage; null means the pipeline's default (5000 on dense maps, no cap on flat lists).</summary>
    public int? PreTopK { get; init; }

    /// <summary>Detections leaving the NMS stage; null means the pipeline's default (750 on dense maps, no cap on flat lists).</summary>
    public int? KeepTopK { get; init; }

    /// <summary>r: box-filter radius of the accumulation step.</summary>
    public int Radius { get; init; } = 1;

    /// <summary>k: box-filter passes (0 means no accumulation).</summary>
    public int Passes { get; init; } = 2;

    /// <summary>τg: bound on <c>m / max(S̃, 1e-6)</c>; NaN means off.</summary>
    public float MagnitudeBound { get; init; } = float.NaN;

    /// <summary>Emit the accumulated score S̃ instead of S (gc family option).</summary>
    public bool EmitAccumulated { get; init; }

    public string Name => VariantRegistry.NameOf(Kind);

    /// <summary>Pre-top-k in force: explicit value, else 5000 on dense maps and no cap on flat lists.</summary>
    public int EffectivePreTopK(bool flatInput) => PreTopK ?? (flatInput ? int.MaxValue : DefaultPreTopK);

    /// <summary>Keep-top-k in force: explicit value, else 750 on dense maps and no cap on flat lists.</summary>
    public int EffectiveKeepTopK(bool flatInput) => KeepTopK ?? (flatInput ? int.MaxValue : DefaultKeepTopK);

    /// <summary>The spec's defaults for <paramref name="kind"/>.</summary>
    public static VariantSpec Default(VariantKind kind) => kind switch
    {
        VariantKind.SoftNmsLinear or VariantKind.WeightedNms => new VariantSpec { Kind = kind, IouThreshold = 0.3f },
        VariantKind.GcMagNms => new VariantSpec { Kind = kind, MagnitudeBound = 0.25f },
        _ => new VariantSpec { Kind = kind },
    };

    public static VariantSpec Parse(string text) => VariantParser.Parse(text);

    public static bool TryParse(string text, out VariantSpec? spec, out string? error) => VariantParser.TryParse(text, out spec, out error);

    public override string ToString()
    {
        var sb = new StringBuilder(Name).Append('(');
        var first = true;
        void Add(string key, string value)
        {
            if (!first) sb.Append(',');
            sb.Append(key).Append('=').Append(value);
            first = false;
        }
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);

        Add("score", F(ScoreThreshold));
        if (UsesIou(Kind)) Add("iou", F(IouThreshold));
        if (Kind == VariantKind.SoftNmsGaussian) Add("sigma", F(Sigma));
        if (PreTopK is { } pre) Add("pretopk", pre.ToString(CultureInfo.InvariantCulture));
        if (KeepTopK is { } keep) Add("keep", keep.ToString(CultureInfo.InvariantCulture));
        if (Kind.IsGradientClipping())
        {
            Add("r", Radius.ToString(CultureInfo.InvariantCulture));
            Add("k", Passes.ToString(CultureInfo.InvariantCulture));
            if (!float.IsNaN(MagnitudeBound)) Add("mag", F(MagnitudeBound));
            if (EmitAccumulated) Add("emit", "acc");
        }
        return sb.Append(')').ToString();
    }

    internal static bool UsesIou(VariantKind kind) => kind is not (VariantKind.SoftNmsGaussian or VariantKind.Peak3x3 or VariantKind.Gc);

    /// <summary>Checks parameter ranges; throws <see cref="UsageException"/> naming the bad one.</summary>
    public VariantSpec Validate()
    {
        if (!(ScoreThreshold >= 0f && ScoreThreshold <= 1f)) throw new UsageException($"variant {this}: score must be in [0, 1]");
        if (!(IouThreshold >= 0f && IouThreshold <= 1f)) throw new UsageException($"variant {this}: iou must be in [0, 1]");
        if (!(Sigma > 0f) || float.IsInfinity(Sigma)) throw new UsageException($"variant {this}: sigma must be a positive finite number");
        if (PreTopK is <= 0) throw new UsageException($"variant {this}: pretopk must be positive");
        if (KeepTopK is <= 0) throw new UsageException($"variant {this}: keep must be positive");
        if (Radius is < 0 or > 64) throw new UsageException($"variant {this}: r must be in 0..64");
        if (Passes is < 0 or > 16) throw new UsageException($"variant {this}: k must be in 0..16");
        if (!float.IsNaN(MagnitudeBound) && !(MagnitudeBound >= 0f)) throw new UsageException($"variant {this}: mag must be non-negative");
        return this;
    }
}
