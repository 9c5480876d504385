using Drawbridge.Client.Login;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Forwarding;

/// <summary>Opens the way to the edge for each TCP connection, with the user's credential: a stream on
/// this client's link (SPEC.md §8, the default) or a WebSocket of its own at <c>wss://&lt;hostname&gt;/</c>
/// (§1, <c>--websocket-per-connection</c>). The credential is a service token, a fixed app token, or the
/// signed-in user's token, signing in again once when the edge says the session has expired.</summary>
internal sealed class AccessDialer : IDisposable
{
    /// <summary>WebSocket pings keep idle connections alive through NATs and proxies; 30 s is
    /// under the common 60 s idle timers and costs nothing noticeable.</summary>
    private static readonly TimeSpan WebSocketKeepAlive = TimeSpan.FromSeconds(30);

    private readonly EdgeWebSocketDialer _dialer;
    private readonly KeyValuePair<string, string>[] _fixedHeaders;
    private readonly AppLogin? _login;
    private readonly EdgeWebSocketDialer? _linkDialer;
    private readonly AccessLinks? _links;

    public AccessDialer(AccessOptions options, AppLogin? login = null)
    {
        Options = options;
        _login = options.ServiceTokenId is null && options.AppToken is null ? login : null;
        _dialer = new EdgeWebSocketDialer(options.ResolveEdge(), new EdgeDialerOptions
        {
            CaCertificatePem = options.CaCertificatePem,
            Proxy = options.Proxy,
            PreferHttp2 = options.PreferHttp2,
        });
        _fixedHeaders = options.ServiceTokenId is not null && options.ServiceTokenSecret is not null
            ? [new(WireNames.ServiceTokenIdHeader, options.ServiceTokenId), new(WireNames.ServiceTokenSecretHeader, options.ServiceTokenSecret)]
            : options.AppToken is not null
                ? [new("Authorization", "Bearer " + options.AppToken)]
                : [];
        if (!options.WebSocketPerConnection)
        {
            // A link lives long and carries everything: HTTP/1.1 under it, no HTTP/2 layer (SPEC.md §8).
            _linkDialer = new EdgeWebSocketDialer(options.ResolveEdge(), new EdgeDialerOptions
            {
                CaCertificatePem = options.CaCertificatePem,
                Proxy = options.Proxy,
                PreferHttp2 = false,
            });
            _links = new AccessLinks(DialLinkAsync, options.Hostname, TimeProvider.System);
        }
    }

    public AccessOptions Options { get; }

    /// <summary>The remote end of one connection: a stream on the link, or a WebSocket of its own.</summary>
    public async ValueTask<DuplexStream> OpenAsync(CancellationToken cancellationToken) =>
        _links is null ? await DialAsync(cancellationToken) : await _links.OpenAsync(cancellationToken);

    /// <summary>A stream ended saying the link's credential no longer holds: the next connection dials a new link.</summary>
    public void Retire(MuxStream stream) => _links?.Retire(stream.Session);

    /// <summary>A WebSocket of its own for one connection (SPEC.md §1).</summary>
    public async Task<WebSocketDuplexStream> DialAsync(CancellationToken cancellationToken) =>
        (await DialAsync(_dialer, "/", subProtocol: null, WebSocketKeepAlive, cancellationToken)).Socket;

    private async Task<(Stream Transport, DateTimeOffset? Expires)> DialLinkAsync(CancellationToken cancellationToken) =>
        await DialAsync(_linkDialer!, WireNames.ClientLinkPath, WireNames.MuxSubProtocol, TimeSpan.Zero, cancellationToken);

    private async Task<(WebSocketDuplexStream Socket, DateTimeOffset? Expires)> DialAsync(
        EdgeWebSocketDialer dialer, string path, string? subProtocol, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        if (_login is null)
        {
            return (await dialer.DialAsync(path, _fixedHeaders, subProtocol, keepAlive, cancellationToken), null);
        }

        CachedToken token = await GetTokenAsync(force: false, cancellationToken);
        try
        {
            return (await dialer.DialAsync(path, Bearer(token), subProtocol, keepAlive, cancellationToken), token.ExpiresAt);
        }
        catch (EdgeDialException ex) when (ex.Outcome is ConnectionOutcome.SessionExpired or ConnectionOutcome.Unauthenticated or ConnectionOutcome.AccessRevoked)
        {
            // The cached token no longer works (expired, revoked, or the edge's keys changed): sign in once more.
            token = await GetTokenAsync(force: true, cancellationToken);
            return (await dialer.DialAsync(path, Bearer(token), subProtocol, keepAlive, cancellationToken), token.ExpiresAt);
        }
    }

    private async Task<CachedToken> GetTokenAsync(bool force, CancellationToken cancellationToken)
    {
        try
        {
            return await _login!.GetTokenAsync(force, cancellationToken);
        }
        catch (LoginException ex)
        {
            throw new EdgeDialException(ConnectionOutcome.Unauthenticated, ex.Message, ex);
        }
    }

    private static KeyValuePair<string, string>[] Bearer(CachedToken token) => [new("Authorization", "Bearer " + token.Token)];

    public void Dispose()
    {
        _links?.Dispose();
        _linkDialer?.Dispose();
        _dialer.Dispose();
    }
}
