using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// The rules every store implementation applies before it writes, so SQLite and PostgreSQL
/// refuse the same input with the same message (naming the field).
/// </summary>
/// <remarks>
/// Messages quote at most 80 characters of a bad value, with control characters shown as '?':
/// an error message is printed on terminals, which would act on an escape sequence.
/// </remarks>
internal static partial class StoreInputRules
{
    /// <summary>Names are labels for people and logs: long enough for a sentence, short enough for a table column.</summary>
    public const int MaxNameLength = 100;

    /// <summary>A tunnel, token or admin-token name: 1–100 characters, no control characters, no surrounding spaces.</summary>
    public static string Name(string? name, string field = "name")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new StoreValidationException($"{field}: is empty: give it a name such as \"db-prod\"");
        }

        if (name.Length > MaxNameLength)
        {
            throw new StoreValidationException($"{field}: is {name.Length} characters long: at most {MaxNameLength}");
        }

        if (name.Any(char.IsControl))
        {
            throw new StoreValidationException($"{field}: contains control characters (newlines, tabs, escapes): use printable text");
        }

        if (name.Trim().Length != name.Length)
        {
            throw new StoreValidationException($"{field}: starts or ends with spaces: remove them");
        }

        return name;
    }

    /// <summary>A hash made by <see cref="SecretHash.Hash"/>: 64 lowercase hex digits.</summary>
    public static string Hash(string? hash, string field)
    {
        if (hash is null || hash.Length != SecretHash.HashLength || !hash.All(char.IsAsciiHexDigitLower))
        {
            throw new StoreValidationException($"{field}: expected SHA-256 as {SecretHash.HashLength} lowercase hex digits (SecretHash.Hash)");
        }

        return hash;
    }

    /// <summary>
    /// A short printable text (a login method): 1–<paramref name="maxLength"/> characters, no
    /// control characters.
    /// </summary>
    public static string Text(string? value, string field, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new StoreValidationException($"{field}: is empty");
        }

        return OptionalText(value, field, maxLength)!;
    }

    /// <summary>Null, or a printable text of 1–<paramref name="maxLength"/> characters.</summary>
    public static string? OptionalText(string? value, string field, int maxLength)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 0)
        {
            throw new StoreValidationException($"{field}: is empty: leave it out (null) instead");
        }

        if (value.Length > maxLength)
        {
            throw new StoreValidationException($"{field}: is {value.Length} characters long: at most {maxLength}");
        }

        if (value.Any(char.IsControl))
        {
            throw new StoreValidationException($"{field}: contains control characters (newlines, tabs, escapes): use printable text");
        }

        if (HasLoneSurrogate(value))
        {
            throw new StoreValidationException($"{field}: is not valid Unicode (a lone UTF-16 surrogate): it could not be stored as written");
        }

        return value;
    }

    /// <summary>Whether <paramref name="value"/> has half of a surrogate pair alone, which UTF-8 (SQLite's TEXT, JSON) cannot carry.</summary>
    private static bool HasLoneSurrogate(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A bad value as an error message may quote it: its first 80 characters, control characters as '?'.</summary>
    internal static string Shown(string value)
    {
        string head = value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 77), "...");
        return string.Concat(head.Select(c => char.IsControl(c) ? '?' : c));
    }}
