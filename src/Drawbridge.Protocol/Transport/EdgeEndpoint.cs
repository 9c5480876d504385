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
            var uri = new Uri(text);
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
            return (host, rest.StartsWith(':') ? ParsePort(rest[1..], value) : defaultPort);
        }

        int colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            return (text[..colon], ParsePort(text[(colon + 1)..], value));
        }

        return (text, defaultPort);
    }

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"'{whole}' has no valid port (1-65535)");

    public Uri WebSocketUri(string path) =>
        new UriBuilder("wss", Hostname, Port, path).Uri;
}
