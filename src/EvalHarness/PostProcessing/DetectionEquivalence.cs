using System.Globalization;
using System.Runtime.InteropServices;

namespace EvalHarness.PostProcessing;

/// <summary>
/// The one comparison of two outputs of a variant on the same image, used by the tests, by
/// <c>run</c> (repeats of a cell must be identical) and by <c>gpu-check</c>. Two strengths:
/// <list type="bullet">
/// <item><see cref="Identical"/> / <see cref="FirstDifference"/>: the same flat indices in the same
/// order and the same float bits of every score and box (what the SIMD backend achieves, and what
/// a deterministic backend returns on a repeat).</item>
/// <item><see cref="Compare"/>, the spec's equivalence rule: <c>nms</c>, <c>fast-nms</c>,
/// <c>peak3x3*</c>, <c>gc*</c> the same flat indices in the same order with scores within 1e-6
/// absolute; <c>soft-nms-*</c>, <c>weighted-nms</c> the same set of flat indices (no repeats) with
/// scores within 1e-5 relative. Boxes are checked to 1e-5 relative for every variant (they are
/// copies or blends of the map's boxes).</item>
/// </list>
/// The messages name the first difference found.
/// </summary>
internal static class DetectionEquivalence
{
    public const float ExactScoreTolerance = 1e-6f;
    public const float RelativeTolerance = 1e-5f;

    /// <summary>Same flat indices in the same order and bit-identical scores and boxes.</summary>
    public static bool Identical(DetectionList a, DetectionList b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Count == b.Count
            && a.FlatIndex.SequenceEqual(b.FlatIndex)
            && SameBits(a.Score, b.Score) && SameBits(a.X1, b.X1) && SameBits(a.Y1, b.Y1) && SameBits(a.X2, b.X2) && SameBits(a.Y2, b.Y2);
    }

    /// <summary>Null when <see cref="Identical"/>, else the first detection that differs.</summary>
    public static string? FirstDifference(DetectionList expected, DetectionList actual)
    {
        if (Identical(expected, actual)) return null;
        if (expected.Count != actual.Count) return $"count {actual.Count}, expected {expected.Count}";
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected.FlatIndex[i] != actual.FlatIndex[i]
                || !SameBits(expected.Score[i], actual.Score[i])
                || !SameBits(expected.X1[i], actual.X1[i]) || !SameBits(expected.Y1[i], actual.Y1[i])
                || !SameBits(expected.X2[i], actual.X2[i]) || !SameBits(expected.Y2[i], actual.Y2[i]))
            {
                return $"detection {i} differs: {Row(actual, i)}, expected {Row(expected, i)}";
            }
        }
        return null;
    }

    /// <summary>Null when <paramref name="actual"/> is equivalent to <paramref name="expected"/> (the oracle's output) under the spec's rule, else what differs.</summary>
    public static string? Compare(VariantSpec variant, DetectionList expected, DetectionList actual)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
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

    /// <summary>Equal, or within <see cref="RelativeTolerance"/> of the larger magnitude.</summary>
    public static bool CloseRelative(float expected, float actual)
    {
        if (expected.Equals(actual)) return true;
        var scale = MathF.Max(MathF.Abs(expected), MathF.Abs(actual));
        return MathF.Abs(expected - actual) <= RelativeTolerance * scale;
    }

    /// <summary>One detection as text: flat index, score and box with round-trip floats.</summary>
    public static string Row(DetectionList list, int i)
    {
        ArgumentNullException.ThrowIfNull(list);
        return string.Create(CultureInfo.InvariantCulture,
            $"#{list.FlatIndex[i]} s={list.Score[i]:R} ({list.X1[i]:R}, {list.Y1[i]:R}, {list.X2[i]:R}, {list.Y2[i]:R})");
    }

    private static string? CompareBox(DetectionList e, int i, DetectionList a, int j)
    {
        if (!CloseRelative(e.X1[i], a.X1[j]) || !CloseRelative(e.Y1[i], a.Y1[j]) || !CloseRelative(e.X2[i], a.X2[j]) || !CloseRelative(e.Y2[i], a.Y2[j]))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"box ({a.X1[j]:R}, {a.Y1[j]:R}, {a.X2[j]:R}, {a.Y2[j]:R}), expected ({e.X1[i]:R}, {e.Y1[i]:R}, {e.X2[i]:R}, {e.Y2[i]:R})");
        }
        return null;
    }

    private static bool SameBits(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    private static bool SameBits(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => MemoryMarshal.AsBytes(x).SequenceEqual(MemoryMarshal.AsBytes(y));
}
