using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client;

/// <summary>Options of <c>drawbridge access tcp</c>.</summary>
internal sealed record AccessOptions
{
    /// <summary>The app hostname: TLS name, Host, and the route at the edge.</summary>
    public required string Hostname { get; init; }

    /// <summary><c>--edge HOST:PORT</c>: dial this instead of the hostname on 443.</summary>
    public string? EdgeAddress { get; init; }

    /// <summary>PEM of a self-signed edge's CA (<c>--ca-cert</c>).</summary>
    public string? CaCertificatePem { get; init; }

    public string? ServiceTokenId { get; init; }

    public string? ServiceTokenSecret { get; init; }

    /// <summary>An app token from sign-in (<c>drawbridge access login</c>), sent as a Bearer token.</summary>
    public string? AppToken { get; init; }

    /// <summary>WebSockets over HTTP/2 (RFC 8441) first, so connections share one TLS session; off = HTTP/1.1 only.</summary>
    public bool PreferHttp2 { get; init; } = true;

    /// <summary><c>--websocket-per-connection</c>: each TCP connection on a WebSocket of its own (SPEC.md §1)
    /// instead of a stream on this client's link (§8).</summary>
    public bool WebSocketPerConnection { get; init; }

    public ProxySettings? Proxy { get; init; }

    public EdgeEndpoint ResolveEdge()
    {
        if (EdgeAddress is null)
        {
            return EdgeEndpoint.Direct(Hostname);
        }

        var (host, port) = EdgeEndpoint.ParseHostPort(EdgeAddress);
        return new EdgeEndpoint(Hostname, port, host, port);
    }
}
