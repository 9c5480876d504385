namespace Drawbridge.Protocol.Transport;

/// <summary>
/// Where to reach the edge and what name to present. <see cref="Hostname"/> is the TLS SNI and
/// HTTP Host (the app hostname for clients, the edge's name for connectors);
/// <see cref="ConnectHost"/>:<see cref="ConnectPort"/> is what is actually dialed (the same name by
/// default; <c>--edge HOST:PORT</c> overrides it, e.g. a loopback address in tests).
/// </summary>
public sealed record EdgeEndpoint(string Hostname, int Port, string ConnectHost, int ConnectPort)
{
    public static EdgeEndpoint Direct(string hostname, int port = 443) => new(hostname, port, hostname, port);

    /// <summary>Parses <c>HOST[:PORT]</c> (IPv6 in brackets); the port defaults to 443.</summary>
    public static (string Host, int Port) ParseHostPort(string value, int defaultPort = 443)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        string text = value.Trim();
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
            {
                throw new FormatException($"'{value}' is not a URL like https://edge.example.com:443");
            }

            return (uri.IdnHost, uri.IsDefaultPort ? defaultPort : uri.Port);
        }

        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{value}' has '[' without ']'");
            }

            string host = text[1..close];
            string rest = text[(close + 1)..];
            if (Uri.CheckHostName(host) != UriHostNameType.IPv6 || (rest.Length > 0 && !rest.StartsWith(':')))
            {
                throw new FormatException($"'{value}' is not [IPv6 address] or [IPv6 address]:PORT");
            }

            return (host, rest.Length > 0 ? ParsePort(rest[1..], value) : defaultPort);
        }

        int colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            return (Host(text[..colon], value), ParsePort(text[(colon + 1)..], value));
        }

        return (Host(text, value), defaultPort);
    }

    /// <summary>A DNS name or an IP address; anything else (spaces, a stray colon, nothing) is a typo worth reporting now.</summary>
    private static string Host(string host, string whole) =>
        Uri.CheckHostName(host) != UriHostNameType.Unknown
            ? host
            : throw new FormatException($"'{whole}' has no valid host name or IP address (HOST[:PORT], IPv6 in brackets)");

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"'{whole}' has no valid port (1-65535)");

    public Uri WebSocketUri(string path) =>
        new UriBuilder("wss", Hostname, Port, path).Uri;
}
