using System.Text;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.Backends;

/// <summary>
/// Assertions over the library's one comparison (<see cref="DetectionEquivalence"/>, which
/// gpu-check and run use too): the SIMD and GPU backends' tests call these with the scalar
/// oracle's output as <c>expected</c>; a failure lists both outputs.
/// </summary>
public static class BackendEquivalence
{
    /// <summary>The spec's equivalence rule (<see cref="DetectionEquivalence.Compare"/>).</summary>
    public static void AssertEquivalent(VariantSpec variant, DetectionList expected, DetectionList actual)
    {
        var problem = DetectionEquivalence.Compare(variant, expected, actual);
        if (problem is not null) Assert.Fail($"{variant}: {problem}\n{Describe("expected", expected)}\n{Describe("actual", actual)}");
    }

    /// <summary>Stricter than the spec: identical flat indices, order and float bits (what the SIMD backend achieves).</summary>
    public static void AssertIdentical(VariantSpec variant, DetectionList expected, DetectionList actual)
    {
        var problem = DetectionEquivalence.FirstDifference(expected, actual);
        if (problem is not null) Assert.Fail($"{variant}: {problem}\n{Describe("expected", expected)}\n{Describe("actual", actual)}");
    }

    private static string Describe(string name, DetectionList list)
    {
        var sb = new StringBuilder().Append(name).Append(" (").Append(list.Count).Append("):");
        for (var i = 0; i < Math.Min(list.Count, 12); i++) sb.Append(' ').Append(DetectionEquivalence.Row(list, i)).Append(';');
        if (list.Count > 12) sb.Append(" …");
        return sb.ToString();
    }
}
