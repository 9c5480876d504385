namespace Drawbridge.Edge.Storage;

/// <summary>
/// The rule for a routed hostname, shared by the store (on write) and the edge (on lookup):
/// an ASCII DNS name of 1–253 characters, labels of 1–63 characters of [a-z0-9-] that neither
/// start nor end with '-', compared in lowercase. Internationalised names are routed by their
/// punycode (xn--) form, which is what TLS SNI and the Host header carry anyway.
/// </summary>
internal static class RouteHostname
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>The lowercase form of <paramref name="hostname"/>, or a <see cref="StoreValidationException"/> saying what is wrong.</summary>
    public static string Normalize(string? hostname)
    {
        if (TryNormalize(hostname, out var normalized, out var problem))
        {
            return normalized;
        }

        throw new StoreValidationException($"hostname: {problem}");
    }

    public static bool TryNormalize(string? hostname, out string normalized, out string problem)
    {
        normalized = "";
        problem = Check(hostname);
        if (problem.Length > 0)
        {
            return false;
        }

        normalized = hostname!.ToLowerInvariant();
        return true;
    }

    private static string Check(string? hostname)
    {
        if (string.IsNullOrEmpty(hostname))
        {
            return "is empty: expected a DNS name such as db.example.com";
        }

        if (hostname.Length > MaxLength)
        {
            return $"is {hostname.Length} characters long: a DNS name has at most {MaxLength}";
        }

        var labels = hostname.Split('.');
        foreach (var label in labels)
        {
            if (label.Length == 0)
            {
                return $"\"{Shown(hostname)}\" has an empty label: no leading, trailing or doubled dots";
            }

            if (label.Length > MaxLabelLength)
            {
                return $"\"{Shown(hostname)}\" has a label of {label.Length} characters: at most {MaxLabelLength} between dots";
            }

            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return $"\"{Shown(hostname)}\" has characters other than a-z, 0-9, '-' and '.': use the punycode (xn--) form for international names";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return $"\"{Shown(hostname)}\" has a label that starts or ends with '-'";
            }
        }

        // RFC 3696 §2: a top-level label is never all digits, so this is an IPv4 address.
        if (labels[^1].All(char.IsAsciiDigit))
        {
            return $"\"{Shown(hostname)}\" is an IP address: routes are DNS names";
        }

        return "";
    }

    /// <summary>Echo enough of a bad name to recognise it, never a whole hostile input, and no
    /// control characters (a terminal would act on an escape sequence in an error message).</summary>
    private static string Shown(string hostname)
    {
        string head = hostname.Length <= 80 ? hostname : string.Concat(hostname.AsSpan(0, 77), "...");
        return string.Concat(head.Select(c => char.IsControl(c) ? '?' : c));
    }
}
