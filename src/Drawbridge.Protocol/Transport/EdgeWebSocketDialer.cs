using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// Opens WebSockets to the edge (SPEC.md §1, §2) for clients and connectors alike. Prefers
/// WebSockets over HTTP/2 (RFC 8441) so many connections share one TLS session, falling back
/// to HTTP/1.1; dials <c>--edge</c> overrides and HTTP CONNECT proxies itself so the TLS name
/// stays the app hostname; and turns every failure into an <see cref="EdgeDialException"/> that
/// names the step that failed.
/// </summary>
public sealed class EdgeWebSocketDialer : IDisposable
{
    private readonly EdgeEndpoint _endpoint;
    private readonly ProxySettings? _proxy;
    private readonly CaTrust? _trust;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _http2;
    private readonly TimeSpan _connectTimeout;

    public EdgeWebSocketDialer(EdgeEndpoint endpoint, EdgeDialerOptions options)
    {
        _endpoint = endpoint;
        _proxy = options.Proxy is { } proxy && !proxy.Bypasses(endpoint.ConnectHost) ? proxy : null;
        _trust = options.CaCertificatePem is { } pem ? CaTrust.FromPem(pem) : null;
        _http2 = options.PreferHttp2;
        _connectTimeout = options.ConnectTimeout;
        _handler = new SocketsHttpHandler
        {
            UseProxy = false, // we tunnel through the proxy ourselves, in ConnectAsync
            ConnectCallback = ConnectAsync,
            ConnectTimeout = options.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        if (_trust is not null)
        {
            _handler.SslOptions.RemoteCertificateValidationCallback = _trust.ValidationCallback;
        }

        _invoker = new HttpMessageInvoker(_handler);
    }

    public EdgeEndpoint Endpoint => _endpoint;

    /// <summary>Opens a WebSocket at <paramref name="path"/> with the given request headers.</summary>
    public async Task<WebSocketDuplexStream> DialAsync(
        string path,
        IEnumerable<KeyValuePair<string, string>> headers,
        string? subProtocol,
        TimeSpan webSocketKeepAlive,
        CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = webSocketKeepAlive;
        if (_http2)
        {
            socket.Options.HttpVersion = HttpVersion.Version20;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }

        foreach (var (name, value) in headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }

        if (subProtocol is not null)
        {
            socket.Options.AddSubProtocol(subProtocol);
        }

        try
        {
            await socket.ConnectAsync(_endpoint.WebSocketUri(path), _invoker, cancellationToken);
            return new WebSocketDuplexStream(socket);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or EdgeDialException or IOException)
        {
            EdgeDialException failure = Classify(socket, ex);
            socket.Dispose();
            throw failure;
        }
    }

    private EdgeDialException Classify(ClientWebSocket socket, Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is EdgeDialException dial)
            {
                return dial;
            }
        }

        if (socket.HttpStatusCode != 0 && socket.HttpStatusCode != HttpStatusCode.SwitchingProtocols)
        {
            return FromRefusal(socket);
        }

        string where = $"{_endpoint.Hostname} (dialed at {_endpoint.ConnectHost}:{_endpoint.ConnectPort})";
        HttpRequestException? http = FindInner<HttpRequestException>(ex);
        if (http?.HttpRequestError == HttpRequestError.SecureConnectionError || FindInner<AuthenticationException>(ex) is not null)
        {
            return new EdgeDialException(ConnectionOutcome.EdgeUnreachable,
                $"TLS with the edge {where} failed: its certificate is not trusted or does not name {_endpoint.Hostname} " +
                "(pass --ca-cert with the edge's CA certificate for a self-signed edge)", ex);
        }

        return new EdgeDialException(ConnectionOutcome.EdgeUnreachable, $"could not open a WebSocket to the edge {where}: {Innermost(ex).Message}", ex);
    }

    private EdgeDialException FromRefusal(ClientWebSocket socket)
    {
        var headers = socket.HttpResponseHeaders;
        string? Header(string name) =>
            headers is not null && headers.TryGetValue(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

        int status = (int)socket.HttpStatusCode;
        if (ConnectionOutcomes.FromWireName(Header(WireNames.OutcomeHeader)) is { } outcome)
        {
            string message = Uri.UnescapeDataString(Header(WireNames.MessageHeader) ?? outcome.Advice(_endpoint.Hostname));
            return new EdgeDialException(outcome, message);
        }

        return new EdgeDialException(
            status == 401 || status == 403 ? ConnectionOutcome.Unauthenticated : ConnectionOutcome.InternalError,
            $"the edge at {_endpoint.ConnectHost}:{_endpoint.ConnectPort} answered HTTP {status} instead of a WebSocket upgrade: is it a Drawbridge edge, and is {_endpoint.Hostname} the right hostname?");
    }

    private ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        EdgeConnection.ConnectAsync(_endpoint, _proxy, _connectTimeout, cancellationToken);

    private static T? FindInner<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    public void Dispose()
    {
        _invoker.Dispose();
        _handler.Dispose();
        _trust?.Dispose();
    }
}
