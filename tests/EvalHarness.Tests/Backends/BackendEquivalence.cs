using System.Globalization;
using System.Text;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends;

/// <summary>
/// The spec's equivalence rule between backends, as a reusable assertion (the SIMD and GPU
/// backends' tests call it with the scalar oracle's output as <c>expected</c>):
/// <c>nms</c>, <c>fast-nms</c>, <c>peak3x3*</c>, <c>gc*</c>: the same flat indices in the same
/// order and scores within 1e-6 absolute; <c>soft-nms-*</c>, <c>weighted-nms</c>: the same set of
/// flat indices, scores and boxes within 1e-5 relative. Boxes are checked to 1e-5 relative for
/// every variant (they are copies or blends of the map's boxes).
/// </summary>
public static class BackendEquivalence
{
    public const float ExactScoreTolerance = 1e-6f;
    public const float RelativeTolerance = 1e-5f;

    public static void AssertEquivalent(VariantSpec variant, DetectionList expected, DetectionList actual)
    {
        var problem = Compare(variant, expected, actual);
        if (problem is not null) Assert.Fail($"{variant}: {problem}\n{Describe("expected", expected)}\n{Describe("actual", actual)}");
    }

    /// <summary>Stricter than the spec: identical flat indices, order and float bits (what the SIMD backend achieves).</summary>
    public static void AssertIdentical(VariantSpec variant, DetectionList expected, DetectionList actual)
    {
        var problem = expected.Count != actual.Count ? $"count {actual.Count}, expected {expected.Count}" : null;
        for (var i = 0; problem is null && i < expected.Count; i++)
        {
            if (expected.FlatIndex[i] != actual.FlatIndex[i]
                || !SameBits(expected.Score[i], actual.Score[i])
                || !SameBits(expected.X1[i], actual.X1[i]) || !SameBits(expected.Y1[i], actual.Y1[i])
                || !SameBits(expected.X2[i], actual.X2[i]) || !SameBits(expected.Y2[i], actual.Y2[i]))
            {
                problem = $"detection {i} differs: {Row(actual, i)}, expected {Row(expected, i)}";
            }
        }
        if (problem is not null) Assert.Fail($"{variant}: {problem}\n{Describe("expected", expected)}\n{Describe("actual", actual)}");
    }

    /// <summary>Null when equivalent, else what differs.</summary>
    public static string? Compare(VariantSpec variant, DetectionList expected, DetectionList actual)
    {
        if (expected.Count != actual.Count) return $"count {actual.Count}, expected {expected.Count}";
        if (variant.Kind.IsExactEquivalence())
        {
            for (var i = 0; i < expected.Count; i++)
            {
                if (expected.FlatIndex[i] != actual.FlatIndex[i]) return $"detection {i} has flat index {actual.FlatIndex[i]}, expected {expected.FlatIndex[i]}";
                if (!(MathF.Abs(expected.Score[i] - actual.Score[i]) <= ExactScoreTolerance)) return $"detection {i} score {actual.Score[i]:R}, expected {expected.Score[i]:R}";
                var box = CompareBox(expected, i, actual, i);
                if (box is not null) return $"detection {i}: {box}";
            }
            return null;
        }

        var expectedAt = new Dictionary<int, int>(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (!expectedAt.TryAdd(expected.FlatIndex[i], i)) return $"expected output repeats flat index {expected.FlatIndex[i]}";
        }
        var seen = new HashSet<int>();
        for (var j = 0; j < actual.Count; j++)
        {
            var flat = actual.FlatIndex[j];
            if (!seen.Add(flat)) return $"actual output repeats flat index {flat}";
            if (!expectedAt.TryGetValue(flat, out var i)) return $"flat index {flat} is kept but not expected";
            if (!CloseRelative(expected.Score[i], actual.Score[j])) return $"flat index {flat} score {actual.Score[j]:R}, expected {expected.Score[i]:R}";
            var box = CompareBox(expected, i, actual, j);
            if (box is not null) return $"flat index {flat}: {box}";
        }
        return null;
    }

    private static string? CompareBox(DetectionList e, int i, DetectionList a, int j)
    {
        if (!CloseRelative(e.X1[i], a.X1[j]) || !CloseRelative(e.Y1[i], a.Y1[j]) || !CloseRelative(e.X2[i], a.X2[j]) || !CloseRelative(e.Y2[i], a.Y2[j]))
        {
            return $"box ({a.X1[j]:R}, {a.Y1[j]:R}, {a.X2[j]:R}, {a.Y2[j]:R}), expected ({e.X1[i]:R}, {e.Y1[i]:R}, {e.X2[i]:R}, {e.Y2[i]:R})";
        }
        return null;
    }

    public static bool CloseRelative(float expected, float actual)
    {
        if (expected.Equals(actual)) return true;
        var scale = MathF.Max(MathF.Abs(expected), MathF.Abs(actual));
        return MathF.Abs(expected - actual) <= RelativeTolerance * scale;
    }

    private static bool SameBits(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    private static string Row(DetectionList list, int i) => string.Create(CultureInfo.InvariantCulture,
        $"#{list.FlatIndex[i]} s={list.Score[i]:R} ({list.X1[i]:R}, {list.Y1[i]:R}, {list.X2[i]:R}, {list.Y2[i]:R})");

    private static string Describe(string name, DetectionList list)
    {
        var sb = new StringBuilder().Append(name).Append(" (").Append(list.Count).Append("):");
        for (var i = 0; i < Math.Min(list.Count, 12); i++) sb.Append(' ').Append(Row(list, i)).Append(';');
        if (list.Count > 12) sb.Append(" …");
        return sb.ToString();
    }
}
