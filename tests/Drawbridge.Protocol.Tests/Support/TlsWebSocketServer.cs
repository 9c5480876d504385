using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>
/// Real Kestrel on 127.0.0.1:0 with HTTPS and a fresh self-signed certificate, accepting
/// WebSockets on <c>/link</c> the way the edge accepts connector links (SPEC.md §2). Each
/// accepted socket is handed out as a <see cref="WebSocketDuplexStream"/>; its request stays
/// open until the server is disposed.
/// </summary>
internal sealed class TlsWebSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly Channel<WebSocketDuplexStream> _accepted = Channel.CreateUnbounded<WebSocketDuplexStream>();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TlsWebSocketServer(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    public Uri LinkUri { get; private set; } = null!;

    public static async Task<TlsWebSocketServer> StartAsync()
    {
        X509Certificate2 certificate = SelfSignedCertificate.CreateForLocalhost();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseHttps(certificate);
        }));
        var server = new TlsWebSocketServer(builder.Build(), certificate);
        server._app.UseWebSockets();
        server._app.Run(server.AcceptAsync);
        await server._app.StartAsync().WaitAsync(TestTimeouts.Event);
        server.LinkUri = new Uri(server._app.Urls.Single().Replace("https://", "wss://", StringComparison.Ordinal) + "/link");
        return server;
    }

    /// <summary>Dials the server as the connector does and returns both ends.</summary>
    public async Task<(WebSocketDuplexStream Server, WebSocketDuplexStream Client)> ConnectAsync()
    {
        var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString();
        await client.ConnectAsync(LinkUri, CancellationToken.None).WaitAsync(TestTimeouts.Event);
        WebSocketDuplexStream server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Event);
        return (server, new WebSocketDuplexStream(client));
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        _accepted.Writer.TryWrite(new WebSocketDuplexStream(socket));
        await _stopping.Task; // the request is the socket's lifetime: hold it until the test is done
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.TrySetResult();
        using var stop = new CancellationTokenSource(TestTimeouts.Event);
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
