using ScottPlot;
using SkiaSharp;

namespace EvalHarness.Reporting.Charts;

/// <summary>
/// ScottPlot draws no text without a font, and CI machines may have none installed: the harness
/// ships DejaVu Sans (Bitstream Vera licence, Fonts/DejaVuSans-LICENSE.txt) as an embedded
/// resource and makes it the default font of every chart.
/// </summary>
public static class ChartFonts
{
    public const string FamilyName = "DejaVu Sans";
    private const string ResourceName = "EvalHarness.Reporting.Fonts.DejaVuSans.ttf";

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Registers the embedded font once per process; safe to call before every chart.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered) return;
            using var stream = typeof(ChartFonts).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded font {ResourceName} is missing from the assembly");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var data = SKData.CreateCopy(copy.ToArray());
            Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver(data));
            Fonts.Default = FamilyName;
            _registered = true;
        }
    }

    private sealed class EmbeddedFontResolver(SKData data) : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            Matches(fontName) ? SKTypeface.FromData(data) : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            Matches(fontName) ? SKTypeface.FromData(data) : null;

        private static bool Matches(string fontName) => string.Equals(fontName, FamilyName, StringComparison.OrdinalIgnoreCase);
    }
}
