using System.Globalization;

namespace Drawbridge.Edge.Policies;

/// <summary>
/// The text rules policies share: how values are compared and how bad input is echoed.
/// </summary>
internal static class PolicyText
{
    /// <summary>How much of a bad input an error message repeats: enough to recognise it, never a whole hostile value.</summary>
    public const int MaxShownLength = 60;

    /// <summary>
    /// Equal, ignoring the case of ASCII letters only. Other characters must match exactly:
    /// Unicode case mapping would let a look-alike stand in for a letter (the Kelvin sign
    /// U+212A lowercases to 'k'), so an address an IdP spells with one would match another user.
    /// </summary>
    public static bool EqualsAsciiIgnoreCase(string? a, string? b)
    {
        if (a is null || b is null || a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && !(char.IsAsciiLetter(a[i]) && char.IsAsciiLetter(b[i]) && (a[i] | 0x20) == (b[i] | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="value"/> with ASCII letters lowercased and everything else kept (see <see cref="EqualsAsciiIgnoreCase"/>).</summary>
    public static string ToLowerAscii(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
            }
        });

    /// <summary>
    /// True when <paramref name="value"/> holds a character that is invisible or acts on a
    /// terminal or a log line: controls (newlines, escapes), format characters (bidi overrides,
    /// zero-width spaces), line and paragraph separators, and unpaired surrogates.
    /// </summary>
    public static bool HasUnprintable(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return true;
            }

            switch (char.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A bad input as an error message may echo it: at most <see cref="MaxShownLength"/>
    /// characters, unprintable ones shown as '?' (a terminal would act on an escape sequence).
    /// </summary>
    public static string Shown(string value)
    {
        string head = value.Length <= MaxShownLength ? value : string.Concat(value.AsSpan(0, MaxShownLength - 3), "...");
        return string.Concat(head.Select(c => char.IsControl(c) || char.IsSurrogate(c) || IsInvisible(c) ? '?' : c));
    }

    private static bool IsInvisible(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
