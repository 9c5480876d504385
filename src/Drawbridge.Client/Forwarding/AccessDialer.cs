using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Forwarding;

/// <summary>Opens one WebSocket to <c>wss://&lt;hostname&gt;/</c> per TCP connection, with the user's credential (SPEC.md §1).</summary>
internal sealed class AccessDialer : IDisposable
{
    /// <summary>WebSocket pings keep idle connections alive through NATs and proxies; 30 s is
    /// under the common 60 s idle timers and costs nothing noticeable.</summary>
    private static readonly TimeSpan WebSocketKeepAlive = TimeSpan.FromSeconds(30);

    private readonly EdgeWebSocketDialer _dialer;
    private readonly KeyValuePair<string, string>[] _headers;

    public AccessDialer(AccessOptions options)
    {
        Options = options;
        _dialer = new EdgeWebSocketDialer(options.ResolveEdge(), new EdgeDialerOptions
        {
            CaCertificatePem = options.CaCertificatePem,
            Proxy = options.Proxy,
            PreferHttp2 = options.PreferHttp2,
        });
        _headers = options.ServiceTokenId is not null && options.ServiceTokenSecret is not null
            ? [new(WireNames.ServiceTokenIdHeader, options.ServiceTokenId), new(WireNames.ServiceTokenSecretHeader, options.ServiceTokenSecret)]
            : options.AppToken is not null
                ? [new("Authorization", "Bearer " + options.AppToken)]
                : [];
    }

    public AccessOptions Options { get; }

    public Task<WebSocketDuplexStream> DialAsync(CancellationToken cancellationToken) =>
        _dialer.DialAsync("/", _headers, subProtocol: null, WebSocketKeepAlive, cancellationToken);

    public void Dispose() => _dialer.Dispose();
}
