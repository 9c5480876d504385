namespace Drawbridge.Edge.Storage;

/// <summary>
/// Rules for the audit log. Unlike the others, these cut a long value instead of refusing it:
/// the audit must never lose a record because a field is long, and the longest values come
/// from exactly the hostile or broken input the log is there to record.
/// </summary>
internal static partial class StoreInputRules
{
    /// <summary>8 KiB of text: a full error chain or a request summary, not a payload.</summary>
    public const int MaxAuditDetailLength = 8 * 1024;

    /// <summary>Actor, app, outcome, policy, client address: identifiers, far shorter than this when honest.</summary>
    public const int MaxAuditFieldLength = 1024;

    /// <summary>One call returns at most this many events; page with <c>since</c> for more.</summary>
    public const int MaxAuditLimit = 10_000;

    /// <summary>What an audit event records (DESIGN.md "Identity and access").</summary>
    public static IReadOnlyList<string> AuditKinds { get; } = ["sign_in", "connection", "admin"];

    /// <summary>The event kind: the one field that is refused, since the code, not input, chooses it.</summary>
    public static string AuditKind(string? kind, string field = "kind")
    {
        if (kind is null || !AuditKinds.Contains(kind, StringComparer.Ordinal))
        {
            throw new StoreValidationException($"{field}: \"{Shown(kind ?? "")}\" is not one of {string.Join(", ", AuditKinds)}");
        }

        return kind;
    }

    public static int AuditLimit(int limit)
    {
        if (limit is < 1 or > MaxAuditLimit)
        {
            throw new StoreValidationException($"limit: is {limit}: expected 1–{MaxAuditLimit}");
        }

        return limit;
    }

    /// <summary>What NUL becomes in audit text: U+FFFD, the Unicode replacement character.</summary>
    public const char NulReplacement = '\uFFFD';

    /// <summary>
    /// <paramref name="value"/> if it fits, else its first characters and a trailing '…' within
    /// <paramref name="maxLength"/> (never splitting a surrogate pair). Stored verbatim otherwise,
    /// control characters included (whoever prints the audit escapes it), except NUL, which
    /// becomes <see cref="NulReplacement"/> (<see cref="AuditFilter"/>): PostgreSQL text cannot hold
    /// it, and both stores keep one contract.
    /// </summary>
    public static string? AuditText(string? value, int maxLength)
    {
        value = AuditFilter(value);
        if (value is null || value.Length <= maxLength)
        {
            return value;
        }

        int keep = maxLength - 1;
        if (char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        return string.Concat(value.AsSpan(0, keep), "…");
    }

    /// <summary>An audit value as stored (NUL replaced), so a filter on text with NUL finds what was appended with it.</summary>
    public static string? AuditFilter(string? value) => value?.Replace('\0', NulReplacement);
}
