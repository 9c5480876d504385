using Drawbridge.Client.Login;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Forwarding;

/// <summary>Opens one WebSocket to <c>wss://&lt;hostname&gt;/</c> per TCP connection, with the user's
/// credential (SPEC.md §1): a service token, a fixed app token, or the signed-in user's token,
/// signing in again once when the edge says the session has expired.</summary>
internal sealed class AccessDialer : IDisposable
{
    /// <summary>WebSocket pings keep idle connections alive through NATs and proxies; 30 s is
    /// under the common 60 s idle timers and costs nothing noticeable.</summary>
    private static readonly TimeSpan WebSocketKeepAlive = TimeSpan.FromSeconds(30);

    private readonly EdgeWebSocketDialer _dialer;
    private readonly KeyValuePair<string, string>[] _fixedHeaders;
    private readonly AppLogin? _login;

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
    }

    public AccessOptions Options { get; }

    public async Task<WebSocketDuplexStream> DialAsync(CancellationToken cancellationToken)
    {
        if (_login is null)
        {
            return await _dialer.DialAsync("/", _fixedHeaders, subProtocol: null, WebSocketKeepAlive, cancellationToken);
        }

        CachedToken token = await GetTokenAsync(force: false, cancellationToken);
        try
        {
            return await _dialer.DialAsync("/", Bearer(token), subProtocol: null, WebSocketKeepAlive, cancellationToken);
        }
        catch (EdgeDialException ex) when (ex.Outcome is ConnectionOutcome.SessionExpired or ConnectionOutcome.Unauthenticated or ConnectionOutcome.AccessRevoked)
        {
            // The cached token no longer works (expired, revoked, or the edge's keys changed): sign in once more.
            token = await GetTokenAsync(force: true, cancellationToken);
            return await _dialer.DialAsync("/", Bearer(token), subProtocol: null, WebSocketKeepAlive, cancellationToken);
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

    public void Dispose() => _dialer.Dispose();
}
