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
        var (name, value) = First(read, "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy");
        if (value is null)
        {
            return null;
        }

        string address = value.Trim();
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            address = "http://" + address;
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
        {
            throw new FormatException($"{name} '{WithoutPassword(value)}' is not a proxy address like http://proxy.example.com:3128");
        }

        if (uri.Scheme != "http")
        {
            throw new FormatException($"{name} '{WithoutPassword(value)}' is a {uri.Scheme}:// proxy; only http:// proxies (HTTP CONNECT) are supported");
        }

        string noProxy = First(read, "NO_PROXY", "no_proxy").Value ?? "";
        var entries = noProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.TrimStart('.').ToLowerInvariant()).ToArray();
        return new ProxySettings(uri, entries);
    }

    public bool Bypasses(string host)
    {
        string name = host.ToLowerInvariant();
        return NoProxy.Any(e => e == "*" || name == e || name.EndsWith("." + e, StringComparison.Ordinal));
    }

    private static (string Name, string? Value) First(Func<string, string?> read, params string[] names) =>
        names.Select(n => (n, read(n))).FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.Item2));

    /// <summary>Error messages end up in terminals and CI logs: never echo a proxy password.</summary>
    private static string WithoutPassword(string value)
    {
        int at = value.LastIndexOf('@');
        int start = value.IndexOf("://", StringComparison.Ordinal) is >= 0 and var scheme ? scheme + 3 : 0;
        return at > start ? string.Concat(value.AsSpan(0, start), "***", value.AsSpan(at)) : value;
    }
}
