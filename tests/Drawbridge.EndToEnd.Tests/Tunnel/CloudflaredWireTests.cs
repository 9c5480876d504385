using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>
/// What the stock <c>cloudflared access tcp</c> client sends (issue 3 item 7, DESIGN.md): a plain
/// WebSocket over HTTP/1.1 at <c>wss://&lt;app&gt;/</c> carrying the TCP bytes in binary messages, with
/// <c>Cf-Access-Token</c> (a token from <c>drawbridge access token</c>) or the
/// <c>Cf-Access-Client-Id</c>/<c>-Secret</c> pair. A client with no credential gets a 401 naming
/// the sign-in command, a browser gets the sign-in page, and a bypass policy admits only clients
/// that present no credential from its network.
/// </summary>
public sealed class CloudflaredWireTests : IAsyncLifetime
{
    private const string App = "app.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private EchoServer _echo = null!;
    private DrawbridgeStack _stack = null!;

    public async Task InitializeAsync()
    {
        _echo = EchoServer.Start();
        _stack = await DrawbridgeStack.StartAsync();
        var tunnel = await _stack.CreateTunnelAsync("web", App, "office.test");
        await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(_echo.EndPoint));
        await _stack.Edge.State.Store.CreateAppAsync(App, TimeSpan.FromHours(8), CancellationToken.None);
        await _stack.Edge.State.Store.AddPolicyAsync(App, "staff", "allow", 1, ["email-domain:example.com"], [], [], CancellationToken.None);
        await _stack.Edge.State.Store.AddPolicyAsync(App, "ci", "service_auth", 2, ["service-token:ci"], [], [], CancellationToken.None);
        await _stack.Edge.State.Store.CreateAppAsync("office.test", TimeSpan.FromHours(8), CancellationToken.None);
        await _stack.Edge.State.Store.AddPolicyAsync("office.test", "office network", "bypass", 1, ["ip:127.0.0.0/8"], [], [], CancellationToken.None);
        await _stack.Edge.State.RefreshAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task CfAccessToken_FromASignIn_CarriesTheConnection()
    {
        using var browser = new EdgeBrowser(_stack);
        JsonElement answer = await DeviceSignIn.ApproveAsync(_stack, browser, "alice@example.com", App);
        string token = answer.GetProperty("access_token").GetString()!;

        Assert.Equal("as cloudflared does", await ExchangeAsync(App, ("Cf-Access-Token", token)));
        await _stack.Logs.WaitForAsync(l => l.Contains($"to {App} by email:alice@example.com", StringComparison.Ordinal), Limit);
    }

    [Fact(Timeout = 120_000)]
    public async Task CfAccessClientIdAndSecret_CarryTheConnection()
    {
        ServiceTokenPair ci = await _stack.CreateServiceTokenAsync("ci");

        Assert.Equal("as cloudflared does", await ExchangeAsync(App, ("Cf-Access-Client-Id", ci.ClientId), ("Cf-Access-Client-Secret", ci.Secret)));
    }

    [Fact(Timeout = 120_000)]
    public async Task NoCredential_Is401NamingTheSignInCommand()
    {
        (HttpStatusCode status, string? outcome, string? message) = await RefusedAsync(App);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthenticated", outcome);
        Assert.Contains($"drawbridge access login {App}", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task ABrowserWithoutASession_IsSentToTheSignInPage()
    {
        using var browser = new EdgeBrowser(_stack.CaPem, _stack.Edge.Port, new Uri($"https://{App}:{_stack.Edge.Port}/"), followRedirects: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");

        using HttpResponseMessage response = await browser.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Uri location = response.Headers.Location!;
        Assert.Equal(DrawbridgeStack.EdgeHostname, location.Host);
        Assert.Equal("/_drawbridge/login", location.AbsolutePath);
        Assert.Contains(Uri.EscapeDataString("/_drawbridge/signed-in?app=app.test"), location.Query, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task ABypassPolicy_AdmitsAClientWithNoCredentialFromItsNetwork_ButNotABadCredential()
    {
        Assert.Equal("as cloudflared does", await ExchangeAsync("office.test"));
        await _stack.Logs.WaitForAsync(l => l.Contains("to office.test by anonymous", StringComparison.Ordinal), Limit);

        (HttpStatusCode status, string? outcome, _) = await RefusedAsync("office.test", ("Cf-Access-Token", "not.a.token"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthenticated", outcome);
    }

    /// <summary>A WebSocket over HTTP/1.1 like cloudflared's: send, half-close, read the echo to the end.</summary>
    private async Task<string> ExchangeAsync(string hostname, params (string Name, string Value)[] headers)
    {
        using var deadline = new CancellationTokenSource(Limit);
        using ClientWebSocket socket = NewSocket(headers);
        using var invoker = new HttpMessageInvoker(Handler());
        await socket.ConnectAsync(new Uri($"wss://{hostname}:{_stack.Edge.Port}/"), invoker, deadline.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("as cloudflared does"), WebSocketMessageType.Binary, endOfMessage: true, deadline.Token);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);

        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, deadline.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return Encoding.UTF8.GetString(received.ToArray());
            }

            received.Write(buffer, 0, result.Count);
        }
    }

    private async Task<(HttpStatusCode Status, string? Outcome, string? Message)> RefusedAsync(string hostname, params (string Name, string Value)[] headers)
    {
        using var deadline = new CancellationTokenSource(Limit);
        using ClientWebSocket socket = NewSocket(headers);
        socket.Options.CollectHttpResponseDetails = true;
        using var invoker = new HttpMessageInvoker(Handler());
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"wss://{hostname}:{_stack.Edge.Port}/"), invoker, deadline.Token));
        IReadOnlyDictionary<string, IEnumerable<string>> response = socket.HttpResponseHeaders!;
        string? Header(string name) => response.TryGetValue(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
        return (socket.HttpStatusCode, Header(WireNames.OutcomeHeader), Header(WireNames.MessageHeader) is { } escaped ? Uri.UnescapeDataString(escaped) : null);
    }

    private static ClientWebSocket NewSocket((string Name, string Value)[] headers)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version11;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        foreach ((string name, string value) in headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }

        return socket;
    }

    /// <summary>Dials the edge's loopback port for any name and trusts exactly the edge's CA.</summary>
    private SocketsHttpHandler Handler()
    {
        var trust = CaTrust.FromPem(_stack.CaPem);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await tcp.ConnectAsync(IPAddress.Loopback, _stack.Edge.Port, ct);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = trust.ValidationCallback;
        return handler;
    }
}
