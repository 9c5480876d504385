using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// The rules every store implementation applies before it writes, so SQLite and PostgreSQL
/// refuse the same input with the same message (naming the field).
/// </summary>
internal static class StoreInputRules
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
}
