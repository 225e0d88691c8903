using System.Globalization;
using EvalHarness.IO;

namespace EvalHarness.PostProcessing;

/// <summary>The one place where variant ids (the spec's names) map to kinds.</summary>
public static class VariantRegistry
{
    private static readonly (string Name, VariantKind Kind)[] Entries =
    [
        ("nms", VariantKind.Nms),
        ("soft-nms-linear", VariantKind.SoftNmsLinear),
        ("soft-nms-gaussian", VariantKind.SoftNmsGaussian),
        ("weighted-nms", VariantKind.WeightedNms),
        ("fast-nms", VariantKind.FastNms),
        ("peak3x3", VariantKind.Peak3x3),
        ("peak3x3+nms", VariantKind.Peak3x3Nms),
        ("gc", VariantKind.Gc),
        ("gc+nms", VariantKind.GcNms),
        ("gc-mag+nms", VariantKind.GcMagNms),
    ];

    public static IEnumerable<VariantKind> All
    {
        get
        {
            foreach (var entry in Entries) yield return entry.Kind;
        }
    }

    public static IEnumerable<string> Names
    {
        get
        {
            foreach (var entry in Entries) yield return entry.Name;
        }
    }

    public static string NameOf(VariantKind kind)
    {
        foreach (var entry in Entries)
        {
            if (entry.Kind == kind) return entry.Name;
        }
        throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
    }

    public static bool TryGetKind(string name, out VariantKind kind)
    {
        foreach (var entry in Entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                kind = entry.Kind;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Every variant with the spec's defaults, in registry order.</summary>
    public static IReadOnlyList<VariantSpec> Defaults()
    {
        var list = new List<VariantSpec>(Entries.Length);
        foreach (var entry in Entries) list.Add(VariantSpec.Default(entry.Kind));
        return list;
    }
}

/// <summary>Parses <c>name</c> or <c>name(key=value,…)</c>; keys are the ones <see cref="VariantSpec.ToString"/> prints.</summary>
internal static class VariantParser
{
    public static VariantSpec Parse(string text)
    {
        if (!TryParse(text, out var spec, out var error)) throw new UsageException(error!);
        return spec!;
    }

    public static bool TryParse(string text, out VariantSpec? spec, out string? error)
    {
        spec = null;
        error = null;
        var trimmed = (text ?? "").Trim();
        var open = trimmed.IndexOf('(');
        var name = open < 0 ? trimmed : trimmed[..open].Trim();
        if (!VariantRegistry.TryGetKind(name, out var kind))
        {
            error = $"unknown variant '{name}' in '{text}'; known: {string.Join(", ", VariantRegistry.Names)}";
            return false;
        }
        var result = VariantSpec.Default(kind);
        if (open >= 0)
        {
            if (!trimmed.EndsWith(')'))
            {
                error = $"variant '{text}': missing ')'";
                return false;
            }
            var body = trimmed[(open + 1)..^1];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rawPair in body.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = rawPair.IndexOf('=');
                if (eq <= 0)
                {
                    error = $"variant '{text}': parameter '{rawPair}' is not key=value";
                    return false;
                }
                var key = rawPair[..eq].Trim().ToLowerInvariant();
                var value = rawPair[(eq + 1)..].Trim();
                if (!seen.Add(key))
                {
                    // the last one silently winning hides a typo in a sweep or a copied spec
                    error = $"variant '{text}': parameter '{key}' is given twice";
                    return false;
                }
                if (!AppliesTo(kind, key))
                {
                    // Accepting it would give two specs that print the same text but compare unequal.
                    error = $"variant '{text}': parameter '{key}' does not apply to {name}";
                    return false;
                }
                if (!TryApply(result, key, value, out result, out var problem))
                {
                    error = $"variant '{text}': {problem}";
                    return false;
                }
            }
        }
        try
        {
            spec = result.Validate();
            return true;
        }
        catch (UsageException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Whether <paramref name="key"/> is one <see cref="VariantSpec.ToString"/> prints for <paramref name="kind"/> (unknown keys pass, TryApply names them).</summary>
    private static bool AppliesTo(VariantKind kind, string key) => key switch
    {
        "iou" or "tiou" => VariantSpec.UsesIou(kind),
        "sigma" => kind == VariantKind.SoftNmsGaussian,
        "r" or "k" or "mag" or "tg" or "emit" => kind.IsGradientClipping(),
        _ => true,
    };

    private static bool TryApply(VariantSpec current, string key, string value, out VariantSpec updated, out string? problem)
    {
        updated = current;
        problem = null;
        switch (key)
        {
            case "score" or "ts" or "tau_s":
                if (!TryFloat(value, out var score)) break;
                updated = current with { ScoreThreshold = score };
                return true;
            case "iou" or "tiou":
                if (!TryFloat(value, out var iou)) break;
                updated = current with { IouThreshold = iou };
                return true;
            case "sigma":
                if (!TryFloat(value, out var sigma)) break;
                updated = current with { Sigma = sigma };
                return true;
            case "pretopk" or "pre":
                if (!TryInt(value, out var pre)) break;
                updated = current with { PreTopK = pre };
                return true;
            case "keep" or "keeptopk":
                if (!TryInt(value, out var keep)) break;
                updated = current with { KeepTopK = keep };
                return true;
            case "r":
                if (!TryInt(value, out var r)) break;
                updated = current with { Radius = r };
                return true;
            case "k":
                if (!TryInt(value, out var k)) break;
                updated = current with { Passes = k };
                return true;
            case "mag" or "tg":
                if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
                {
                    updated = current with { MagnitudeBound = float.NaN };
                    return true;
                }
                if (!TryFloat(value, out var mag)) break;
                updated = current with { MagnitudeBound = mag };
                return true;
            case "emit":
                if (value is "acc" or "raw")
                {
                    updated = current with { EmitAccumulated = value == "acc" };
                    return true;
                }
                problem = $"emit must be 'acc' or 'raw', not '{value}'";
                return false;
            default:
                problem = $"unknown parameter '{key}' (known: score, iou, sigma, pretopk, keep, r, k, mag, emit)";
                return false;
        }
        problem = $"parameter '{key}' has a bad value '{value}'";
        return false;
    }

    private static bool TryFloat(string s, out float value) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);

    private static bool TryInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
