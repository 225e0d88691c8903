using System.Reflection;
using SkiaSharp;

namespace EvalHarness.Reporting;

/// <summary>
/// Makes ScottPlot draw text on machines without system fonts (CI containers have none): the
/// DejaVu Sans shipped as an embedded resource (Bitstream Vera licence, Fonts/DejaVuSans-LICENSE.txt)
/// becomes ScottPlot's default font. Every chart calls <see cref="EnsureRegistered"/> first.
/// </summary>
internal static class ChartFonts
{
    public const string FamilyName = "DejaVu Sans";
    private const string ResourceName = "EvalHarness.Reporting.Fonts.DejaVuSans.ttf";

    private static readonly Lazy<SKTypeface> Typeface = new(LoadTypeface, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _registered;

    /// <summary>Registers the embedded font with ScottPlot once per process and makes it the default.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
        ScottPlot.Fonts.Default = FamilyName;
    }

    private static SKTypeface LoadTypeface()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded font {ResourceName} is missing from the assembly");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return SKTypeface.FromData(SKData.CreateCopy(bytes))
            ?? throw new InvalidOperationException($"embedded font {ResourceName} could not be loaded");
    }

    /// <summary>Answers every request (any family, any style) with the embedded regular face, so no text falls back to an empty system font.</summary>
    private sealed class EmbeddedFontResolver : ScottPlot.IFontResolver
    {
        public SKTypeface CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing spacing) => Typeface.Value;

        public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => Typeface.Value;
    }
}
