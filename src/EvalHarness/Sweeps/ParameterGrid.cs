using System.Text;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Sweeps;

/// <summary>One listed parameter of a grid: its canonical key and its values as written.</summary>
public sealed record GridAxis(string Key, IReadOnlyList<string> Values);

/// <summary>
/// One entry of a suite's <c>"variants"</c> in which any parameter may be a list:
/// <c>gc+nms(r=[1,2,3],k=[1,2],score=0.05)</c>. It expands to the cartesian product of its lists
/// (the last written list varies fastest); a plain variant is a grid of one configuration.
/// </summary>
public sealed record VariantGrid
{
    public required string Text { get; init; }
    public required VariantKind Kind { get; init; }

    /// <summary>The listed parameters in written order (the sensitivity charts use the first two).</summary>
    public required IReadOnlyList<GridAxis> Axes { get; init; }

    /// <summary>The parameters given one value.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Fixed { get; init; }

    public string Family => VariantRegistry.NameOf(Kind);

    /// <summary>Number of configurations without building them (checked against maxConfigs first).</summary>
    public long Count
    {
        get
        {
            long count = 1;
            foreach (var axis in Axes) count = checked(count * axis.Values.Count);
            return count;
        }
    }

    /// <summary>
    /// Parses a variant text with optional lists. Refuses (naming the variant and the parameter)
    /// an empty list, an empty or repeated value, a parameter listed twice, and a parameter the
    /// variant does not have; ranges are checked when expanding.
    /// </summary>
    public static VariantGrid Parse(string text)
    {
        var trimmed = (text ?? "").Trim();
        var open = trimmed.IndexOf('(', StringComparison.Ordinal);
        var name = open < 0 ? trimmed : trimmed[..open].Trim();
        if (!VariantRegistry.TryGetKind(name, out var kind))
        {
            throw new UsageException($"unknown variant '{name}' in '{text}'; known: {string.Join(", ", VariantRegistry.Names)}");
        }
        var family = VariantRegistry.NameOf(kind);
        var axes = new List<GridAxis>();
        var fixedValues = new List<KeyValuePair<string, string>>();
        if (open >= 0)
        {
            if (!trimmed.EndsWith(')')) throw new UsageException($"variant '{text}': missing ')'");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in SplitTopLevel(trimmed[(open + 1)..^1], trimmed))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new UsageException($"variant '{text}': parameter '{pair}' is not key=value");
                var key = CanonicalKey(pair[..eq].Trim().ToLowerInvariant());
                var value = pair[(eq + 1)..].Trim();
                if (!ParameterKeys.Contains(key))
                {
                    throw new UsageException($"variant {family}: unknown parameter '{key}' (known: {string.Join(", ", ParameterKeys)})");
                }
                if (!AppliesTo(kind, key)) throw new UsageException($"variant {family}: parameter '{key}' does not apply to {family} (in '{text}')");
                if (!seen.Add(key)) throw new UsageException($"variant {family}: parameter '{key}' is given twice in '{text}'");
                if (value.StartsWith('['))
                {
                    axes.Add(new GridAxis(key, ParseList(family, key, value)));
                }
                else
                {
                    fixedValues.Add(new(key, value));
                }
            }
        }
        return new VariantGrid { Text = trimmed, Kind = kind, Axes = axes, Fixed = fixedValues };
    }

    /// <summary>
    /// Every configuration, in expansion order. Each is parsed and range-checked by
    /// <see cref="VariantSpec"/>, so the error names the configuration and the parameter.
    /// </summary>
    public IReadOnlyList<VariantSpec> Expand()
    {
        var total = checked((int)Count);
        var result = new List<VariantSpec>(total);
        var seen = new HashSet<VariantSpec>();
        var index = new int[Axes.Count];
        for (var n = 0; n < total; n++)
        {
            var text = new StringBuilder(Family).Append('(');
            var first = true;
            void Append(string key, string value)
            {
                if (!first) text.Append(',');
                text.Append(key).Append('=').Append(value);
                first = false;
            }
            foreach (var (key, value) in Fixed) Append(key, value);
            for (var a = 0; a < Axes.Count; a++) Append(Axes[a].Key, Axes[a].Values[index[a]]);
            text.Append(')');

            if (!VariantSpec.TryParse(text.ToString(), out var spec, out var error))
            {
                throw new UsageException(error!); // names the configuration and the parameter
            }
            if (!seen.Add(spec!)) throw new UsageException($"variant {Family}: '{Text}' yields configuration {spec} twice (two listed values are the same number)");
            result.Add(spec!);

            // Odometer: the last axis varies fastest.
            for (var a = Axes.Count - 1; a >= 0; a--)
            {
                if (++index[a] < Axes[a].Values.Count) break;
                index[a] = 0;
            }
        }
        return result;
    }

    /// <summary>The parameter keys a variant prints (the canonical spec's keys, in its order).</summary>
    public static readonly IReadOnlyList<string> ParameterKeys = ["score", "iou", "sigma", "pretopk", "keep", "r", "k", "mag", "emit"];

    private static bool AppliesTo(VariantKind kind, string key) => key switch
    {
        "iou" => VariantSpec.UsesIou(kind),
        "sigma" => kind == VariantKind.SoftNmsGaussian,
        "r" or "k" or "mag" or "emit" => kind.IsGradientClipping(),
        _ => true,
    };

    private static string CanonicalKey(string key) => key switch
    {
        "ts" or "tau_s" => "score",
        "tiou" => "iou",
        "pre" => "pretopk",
        "keeptopk" => "keep",
        "tg" => "mag",
        _ => key,
    };

    private static List<string> ParseList(string family, string key, string value)
    {
        if (!value.EndsWith(']')) throw new UsageException($"variant {family}: parameter '{key}': list '{value}' is missing ']'");
        var body = value[1..^1].Trim();
        if (body.Length == 0) throw new UsageException($"variant {family}: parameter '{key}' has an empty list");
        var values = new List<string>();
        foreach (var raw in body.Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0) throw new UsageException($"variant {family}: parameter '{key}': empty value in list '{value}'");
            if (values.Contains(item)) throw new UsageException($"variant {family}: parameter '{key}' lists {item} twice");
            values.Add(item);
        }
        return values;
    }

    /// <summary>Splits <c>a=1,b=[1,2]</c> at commas outside brackets.</summary>
    private static List<string> SplitTopLevel(string body, string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            switch (body[i])
            {
                case '[':
                    if (++depth > 1) throw new UsageException($"variant '{text}': nested lists are not allowed");
                    break;
                case ']':
                    if (--depth < 0) throw new UsageException($"variant '{text}': ']' without '['");
                    break;
                case ',' when depth == 0:
                    Add(body[start..i]);
                    start = i + 1;
                    break;
            }
        }
        if (depth != 0) throw new UsageException($"variant '{text}': a list is missing ']'");
        Add(body[start..]);
        return parts;

        void Add(string part)
        {
            var trimmed = part.Trim();
            if (trimmed.Length > 0) parts.Add(trimmed);
        }
    }
}

/// <summary>
/// A suite's variants expanded: every configuration in suite order (grid by grid, each in its
/// expansion order) and the grid it came from. Refuses more than <c>maxConfigs</c> configurations
/// before building any, and a configuration listed twice.
/// </summary>
internal sealed record GridExpansion(IReadOnlyList<VariantSpec> Configurations, IReadOnlyList<VariantGrid> Grids, IReadOnlyList<int> GridOfConfiguration)
{
    public const int DefaultMaxConfigs = 500;

    /// <summary>True when some entry lists values (the suite is a sweep).</summary>
    public bool HasLists
    {
        get
        {
            foreach (var grid in Grids)
            {
                if (grid.Axes.Count > 0) return true;
            }
            return false;
        }
    }

    public static GridExpansion Expand(IReadOnlyList<string> variantTexts, int maxConfigs = DefaultMaxConfigs)
    {
        if (maxConfigs < 1) throw new UsageException($"maxConfigs must be at least 1, not {maxConfigs}");
        var grids = new List<VariantGrid>(variantTexts.Count);
        long total = 0;
        foreach (var text in variantTexts) grids.Add(VariantGrid.Parse(text));
        foreach (var grid in grids) total += grid.Count;
        if (total > maxConfigs)
        {
            var largest = grids.MaxBy(g => g.Count)!;
            throw new UsageException($"the variants expand to {total} configurations, more than maxConfigs {maxConfigs} (largest: {largest.Text} with {largest.Count}); shrink the lists or raise \"maxConfigs\"");
        }
        var configurations = new List<VariantSpec>((int)total);
        var gridOf = new List<int>((int)total);
        for (var g = 0; g < grids.Count; g++)
        {
            foreach (var spec in grids[g].Expand())
            {
                if (configurations.Contains(spec)) throw new UsageException($"configuration {spec} is listed twice (by '{grids[g].Text}' and an earlier entry)");
                configurations.Add(spec);
                gridOf.Add(g);
            }
        }
        return new GridExpansion(configurations, grids, gridOf);
    }
}
