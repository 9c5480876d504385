using Drawbridge.Connector.Ingress;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Connector;

/// <summary>Everything <c>drawbridge tunnel run</c> needs, validated before it starts.</summary>
internal sealed record ConnectorOptions
{
    public required TunnelCredential Credential { get; init; }

    public required IngressRules Ingress { get; init; }

    /// <summary><c>--edge HOST:PORT</c>: dial this address instead of the credential's edge URL (the TLS name stays the edge's).</summary>
    public string? EdgeAddress { get; init; }

    /// <summary>Links to keep (default 4, 1–16): one link is one TCP connection, so links fail independently.</summary>
    public int HaConnections { get; init; } = 4;

    /// <summary>On SIGTERM, how long open streams may take to finish (default 30 s).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Origin TCP connect limit (default 10 s).</summary>
    public TimeSpan OriginConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SPEC.md §3: PING every 5 s; a link unanswered for 10 s is dead.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A link up this long resets the reconnect backoff (60 s: longer than any restart storm).</summary>
    public TimeSpan StablePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>--metrics IP:PORT</c> for /metrics and /ready; null = off.</summary>
    public System.Net.IPEndPoint? MetricsEndpoint { get; init; }

    public ProxySettings? Proxy { get; init; }

    public EdgeEndpoint ResolveEdge()
    {
        var url = new Uri(Credential.EdgeUrl);
        int port = url.IsDefaultPort ? 443 : url.Port;
        if (EdgeAddress is null)
        {
            return EdgeEndpoint.Direct(url.IdnHost, port);
        }

        var (host, connectPort) = EdgeEndpoint.ParseHostPort(EdgeAddress, port);
        return new EdgeEndpoint(url.IdnHost, port, host, connectPort);
    }
}
