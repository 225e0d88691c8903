using System.Globalization;

namespace EvalHarness.Datasets;

/// <summary>
/// Parses a token the way Python's <c>float()</c> does (the python port reads every number with
/// it): surrounding ASCII whitespace is stripped, an optional sign, a decimal literal with
/// optional <c>_</c> between digits and an optional exponent, or <c>inf</c>/<c>infinity</c>/<c>nan</c>
/// in any case. The value is correctly rounded like CPython's. Non-ASCII text (which CPython
/// maps from Unicode digits) is rejected instead.
/// </summary>
internal static class PythonFloat
{
    // Powers of ten that are exact in float64 (Clinger's fast path).
    private static readonly double[] ExactPowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<char> token, out double value)
    {
        token = StripPythonWhitespace(token);
        value = 0;
        if (token.IsEmpty) return false;
        if (TryFastPath(token, out value)) return true;
        return TryParseGeneral(token, out value);
    }

    /// <summary>The same for UTF-8 bytes: ASCII tokens take the fast path; anything else goes through the text path.</summary>
    public static bool TryParse(ReadOnlySpan<byte> token, out double value)
    {
        var start = 0;
        var end = token.Length;
        while (start < end && IsPythonWhitespace((char)token[start])) start++;
        while (end > start && IsPythonWhitespace((char)token[end - 1])) end--;
        token = token[start..end];
        value = 0;
        if (token.IsEmpty) return false;
        if (TryFastPath(token, out value)) return true;
        if (!System.Text.Ascii.IsValid(token)) return false; // CPython maps Unicode digits and spaces; not supported
        Span<char> chars = token.Length <= 256 ? stackalloc char[token.Length] : new char[token.Length];
        System.Text.Ascii.ToUtf16(token, chars, out var written);
        return TryParseGeneral(chars[..written], out value);
    }

    /// <summary>
    /// The common case (optional '-', digits, optional '.', digits; at most 15 significant digits
    /// and 22 fraction digits): an exact integer divided by an exact power of ten is one correctly
    /// rounded IEEE operation, so the result equals the correctly rounded decimal value.
    /// Generic over the code unit so UTF-8 bytes and UTF-16 chars share one copy; the JIT specialises
    /// each (reading the RetinaFace dump: 148 ms before, 154–165 ms after, within run-to-run noise).
    /// </summary>
    private static bool TryFastPath<TUnit>(ReadOnlySpan<TUnit> s, out double value)
        where TUnit : unmanaged, System.Numerics.IBinaryInteger<TUnit>
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (int.CreateTruncating(s[0]) == '-') { negative = true; i = 1; }
        long mantissa = 0;
        var digits = 0;
        var fractionDigits = 0;
        var sawPoint = false;
        var sawDigit = false;
        for (; i < s.Length; i++)
        {
            var c = int.CreateTruncating(s[i]);
            if ((uint)(c - '0') <= 9)
            {
                sawDigit = true;
                if (mantissa != 0 || c != '0') digits++;
                if (digits > 15) return false;
                mantissa = mantissa * 10 + (c - '0');
                if (sawPoint) fractionDigits++;
            }
            else if (c == '.' && !sawPoint)
            {
                sawPoint = true;
            }
            else
            {
                return false;
            }
        }
        if (!sawDigit || fractionDigits > 22) return false;
        var magnitude = (double)mantissa / ExactPowersOfTen[fractionDigits];
        value = negative ? -magnitude : magnitude;
        return true;
    }

    private static bool TryParseGeneral(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        var body = s;
        var sign = 1.0;
        if (body[0] is '+' or '-')
        {
            if (body[0] == '-') sign = -1.0;
            body = body[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        // Validate Python's decimal grammar and drop the digit-group underscores.
        Span<char> clean = body.Length <= 128 ? stackalloc char[body.Length] : new char[body.Length];
        var n = 0;
        var i = 0;
        var mantissaDigits = ScanDigits(body, ref i, clean, ref n);
        if (i < body.Length && body[i] == '.')
        {
            clean[n++] = '.';
            i++;
            mantissaDigits += ScanDigits(body, ref i, clean, ref n);
        }
        if (mantissaDigits == 0) return false;
        if (i < body.Length && body[i] is 'e' or 'E')
        {
            clean[n++] = 'e';
            i++;
            if (i < body.Length && body[i] is '+' or '-') clean[n++] = body[i++];
            if (ScanDigits(body, ref i, clean, ref n) == 0) return false;
        }
        if (i != body.Length) return false;
        if (n > 0 && clean[n - 1] == '_') return false;
        if (!double.TryParse(clean[..n], NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var magnitude))
        {
            return false;
        }
        value = sign * magnitude;
        return true;
    }

    /// <summary>Scans <c>digit ('_'? digit)*</c>; returns the number of digits (0 when none, leaving <paramref name="i"/> unchanged).</summary>
    private static int ScanDigits(ReadOnlySpan<char> s, ref int i, Span<char> clean, ref int n)
    {
        var digits = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if ((uint)(c - '0') <= 9)
            {
                clean[n++] = c;
                digits++;
                i++;
            }
            else if (c == '_' && digits > 0 && i + 1 < s.Length && (uint)(s[i + 1] - '0') <= 9)
            {
                i++;
            }
            else
            {
                break;
            }
        }
        return digits;
    }

    /// <summary>The ASCII characters Python's <c>str.isspace</c> accepts (float() strips these).</summary>
    internal static bool IsPythonWhitespace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or (>= '\x1c' and <= '\x1f');

    private static ReadOnlySpan<char> StripPythonWhitespace(ReadOnlySpan<char> s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsPythonWhitespace(s[start])) start++;
        while (end > start && IsPythonWhitespace(s[end - 1])) end--;
        return s[start..end];
    }
}
