namespace Drawbridge.Protocol.Transport;

/// <summary>
/// The HTTP proxy to tunnel through with CONNECT, read the way curl and Go read it:
/// <c>HTTPS_PROXY</c> (or <c>https_proxy</c>, then <c>ALL_PROXY</c>) and <c>NO_PROXY</c>
/// (comma-separated host suffixes, <c>*</c> for all). Loopback targets are not bypassed
/// unless NO_PROXY says so, so tests can route loopback traffic through a local proxy.
/// </summary>
public sealed record ProxySettings(Uri ProxyUri, IReadOnlyList<string> NoProxy)
{
    public static ProxySettings? FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        string? value = First(read, "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy");
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!value.Contains("://", StringComparison.Ordinal))
        {
            value = "http://" + value;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || uri.Scheme != "http")
        {
            throw new FormatException($"HTTPS_PROXY '{value}' is not an http://host:port proxy address");
        }

        string noProxy = First(read, "NO_PROXY", "no_proxy") ?? "";
        var entries = noProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.TrimStart('.').ToLowerInvariant()).ToArray();
        return new ProxySettings(uri, entries);
    }

    public bool Bypasses(string host)
    {
        string name = host.ToLowerInvariant();
        return NoProxy.Any(e => e == "*" || name == e || name.EndsWith("." + e, StringComparison.Ordinal));
    }

    private static string? First(Func<string, string?> read, params string[] names) =>
        names.Select(read).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
