using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.IO;

/// <summary>
/// System.Text.Json's errors in a user's words: the property path and the kind of value expected,
/// instead of .NET type names (<c>System.Nullable`1[System.Int32]</c>) and a second, zero-based line number.
/// </summary>
internal static partial class JsonErrors
{
    public static string Describe(JsonException ex)
    {
        var property = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? null : ex.Path.StartsWith("$.", StringComparison.Ordinal) ? ex.Path[2..] : ex.Path;
        var message = ex.Message;
        var converted = ConvertedTo().Match(message);
        if (converted.Success) return $"'{property}' must be {Friendly(converted.Groups[1].Value)}";
        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)) return $"'{property}' is given twice";
        var unmapped = Unmapped().Match(message);
        if (unmapped.Success) return $"unknown key '{unmapped.Groups[1].Value}'";
        // Anything else (syntax errors): drop the trailing "Path: … | LineNumber: … | BytePositionInLine: …"
        // (the caller names the 1-based line) and keep the reason.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var reason = (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
        return property is null ? reason : $"{reason} (at '{property}')";
    }

    private static string Friendly(string dotnetType)
    {
        var t = dotnetType.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']');
        return t switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.UInt32" or "System.UInt64" => "a whole number ≥ 0",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            _ when t.StartsWith("System.Collections.Generic.List`1[System.String", StringComparison.Ordinal) => "a list of strings",
            _ when t.StartsWith("System.Collections.Generic.", StringComparison.Ordinal) => "a list",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"could not be converted to ([^.\s]+(?:\.[^.\s]+)*?)\. ")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex Unmapped();
}
