using System.Globalization;
using System.Text;
using EvalHarness.IO;

namespace EvalHarness.Datasets;

/// <summary>One face line of <c>wider_face_*_bbx_gt.txt</c>; boxes with w or h ≤ 0 are kept as written.</summary>
public readonly record struct FaceAnnotation(
    int X, int Y, int W, int H, int Blur, int Expression, int Illumination, int Invalid, int Occlusion, int Pose)
{
    public GtBox ToGtBox() => new(X, Y, W, H);
}

/// <summary>
/// One image record: <paramref name="RelativePath"/> as written (<c>0--Parade/0_Parade_x.jpg</c>),
/// its event folder and key (file name without <c>.jpg</c>). A no-face record (count 0, or count 1
/// with an all-zero line) has no faces; <paramref name="PlaceholderLines"/> counts the zero line(s).
/// </summary>
internal sealed record AnnotatedImage(string RelativePath, string Event, string ImageKey, FaceAnnotation[] Faces, int PlaceholderLines = 0)
{
    /// <summary>Whether the record is WIDER's "no face" marker rather than a list of faces.</summary>
    public bool IsNoFaceRecord => PlaceholderLines > 0;

    /// <summary>The declared box lines, as the .mat file_list stores them (the zero placeholder included).</summary>
    public int BoxLineCount => Faces.Length + PlaceholderLines;
}

/// <summary>
/// Parses the WIDER FACE text annotations: per image, its path, the face count, then
/// <c>x y w h blur expression illumination invalid occlusion pose</c> per face. An image with no
/// face has count 0 or 1 followed by a line of ten zeros. CRLF and a UTF-8 BOM are accepted;
/// anything else malformed raises <see cref="DataFormatException"/> with the line number.
/// </summary>
internal static class WiderAnnotationParser
{
    private const int FieldsPerFace = 10;

    public static IReadOnlyList<AnnotatedImage> ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException ex)
        {
            throw new DataFormatException(path, 0, "not UTF-8 text", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, $"cannot read annotations: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    /// <summary>Parses annotation text; <paramref name="sourceName"/> names it in errors.</summary>
    public static IReadOnlyList<AnnotatedImage> Parse(string text, string sourceName)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n');
        // A final line break leaves one empty entry; it is not a record.
        var lineCount = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var images = new List<AnnotatedImage>(lineCount / 10 + 1);
        var i = 0;
        Span<int> fields = stackalloc int[FieldsPerFace];
        while (i < lineCount)
        {
            var pathLine = Line(lines, i).Trim();
            var pathLineNumber = i + 1;
            if (pathLine.Length == 0)
            {
                throw new DataFormatException(sourceName, pathLineNumber, "empty line where an image path (event/image.jpg) was expected");
            }
            var slash = pathLine.IndexOf('/');
            if (slash <= 0 || slash == pathLine.Length - 1 || !pathLine.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            {
                throw new DataFormatException(sourceName, pathLineNumber, $"'{pathLine}' is not an image path of the form event/image.jpg");
            }
            i++;
            if (i >= lineCount) throw new DataFormatException(sourceName, i + 1, $"end of file where the face count of {pathLine} was expected");
            var countText = Line(lines, i).Trim();
            if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new DataFormatException(sourceName, i + 1, $"'{countText}' is not a face count (a non-negative integer) for {pathLine}");
            }
            i++;

            var declaredLines = Math.Max(count, 1); // count 0 is still followed by one zero line
            if (declaredLines > lineCount - i)
            {
                // Checked before allocating, so a wild count cannot exhaust memory.
                throw new DataFormatException(sourceName, lineCount + 1, $"end of file: {pathLine} declares {count} face(s) but only {lineCount - i} line(s) follow");
            }
            var faces = new FaceAnnotation[count];
            for (var k = 0; k < declaredLines; k++, i++)
            {
                if (i >= lineCount)
                {
                    throw new DataFormatException(sourceName, i + 1, $"end of file: {pathLine} declares {count} face(s) but has {k} face line(s)");
                }
                ParseFaceLine(Line(lines, i), sourceName, i + 1, fields);
                if (count > 0) faces[k] = new FaceAnnotation(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8], fields[9]);
                else if (!AllZero(fields)) throw new DataFormatException(sourceName, i + 1, $"{pathLine} has count 0, so a line of ten zeros was expected");
            }

            var placeholder = count == 0 ? 1 : count == 1 && faces[0] == default ? 1 : 0;
            if (count == 1 && placeholder == 1) faces = [];
            var relativePath = pathLine;
            var eventName = relativePath[..slash];
            var fileName = relativePath[(slash + 1)..];
            images.Add(new AnnotatedImage(relativePath, eventName, fileName[..^4], faces, placeholder));
        }
        // An empty file would otherwise read as a dataset of no images and evaluate to nothing.
        if (images.Count == 0) throw new DataFormatException(sourceName, 0, "no image records (the file is empty)");
        return images;
    }

    private static string Line(string[] lines, int i)
    {
        var line = lines[i];
        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
    }

    private static void ParseFaceLine(string line, string sourceName, int lineNumber, Span<int> fields)
    {
        var span = line.AsSpan();
        var n = 0;
        foreach (var range in span.SplitAny(' ', '\t'))
        {
            var token = span[range];
            if (token.IsEmpty) continue;
            if (n == FieldsPerFace)
            {
                throw new DataFormatException(sourceName, lineNumber, $"more than {FieldsPerFace} fields; expected x y w h blur expression illumination invalid occlusion pose");
            }
            if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out fields[n]))
            {
                throw new DataFormatException(sourceName, lineNumber, $"'{token}' is not an integer; expected x y w h blur expression illumination invalid occlusion pose");
            }
            n++;
        }
        if (n != FieldsPerFace)
        {
            throw new DataFormatException(sourceName, lineNumber, $"{n} fields where {FieldsPerFace} were expected (x y w h blur expression illumination invalid occlusion pose)");
        }
    }

    private static bool AllZero(ReadOnlySpan<int> fields)
    {
        foreach (var f in fields)
        {
            if (f != 0) return false;
        }
        return true;
    }
}
