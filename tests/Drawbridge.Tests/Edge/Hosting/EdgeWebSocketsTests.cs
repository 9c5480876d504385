using System.Net;
using System.Net.WebSockets;
using Drawbridge.Edge.Hosting;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Tests.Edge.Hosting;

/// <summary>The edge's own WebSocket accept on real Kestrel, dialled by the BCL's client
/// WebSocket the way connectors and clients dial it: RFC 6455 over HTTP/1.1 and RFC 8441 over HTTP/2.</summary>
public sealed class EdgeWebSocketsTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Accept_NegotiatesTheSubprotocol_AndEchoesBytesBothWays(bool http2)
    {
        await using WebApplication app = await StartEchoAsync(http2);
        using var handler = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(handler);
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("drawbridge-mux.1");
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        if (http2)
        {
            client.Options.HttpVersion = HttpVersion.Version20;
            client.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        string url = app.Urls.Single().Replace("http://", "ws://", StringComparison.Ordinal) + "/link";
        await client.ConnectAsync(new Uri(url), invoker, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("drawbridge-mux.1", client.SubProtocol);

        var stream = new WebSocketDuplexStream(client);
        byte[] sent = new byte[300_000];
        new Random(4).NextBytes(sent);
        Task<byte[]> echoed = ReadToEndAsync(stream);
        for (int at = 0; at < sent.Length; at += 70_000)
        {
            await stream.WriteAsync(sent.AsMemory(at, Math.Min(70_000, sent.Length - at)));
        }

        await stream.CompleteWritesAsync();
        Assert.Equal(sent, await echoed.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    /// <summary>By hand, as RFC 6455 §1.3's example: the accept key is the RFC's; a frame the
    /// client did not mask gets Close 1002 naming it, on the connection's own pipes.</summary>
    [Fact(Timeout = 60_000)]
    public async Task RawClient_GetsTheRfcAcceptKey_AndClose1002ForAnUnmaskedFrame()
    {
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using WebApplication app = await StartEchoAsync(http2: false, failure);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, new Uri(app.Urls.Single()).Port);
        using var stream = tcp.GetStream();

        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            "GET /link HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: drawbridge-mux.1\r\n\r\n"));
        string head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Protocol: drawbridge-mux.1", head, StringComparison.Ordinal);

        await stream.WriteAsync(new byte[] { 0x82, 0x02, (byte)'h', (byte)'i' });

        byte[] close = new byte[2];
        await stream.ReadExactlyAsync(close).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0x88, close[0]); // FIN, Close, unmasked
        byte[] payload = new byte[close[1]];
        await stream.ReadExactlyAsync(payload).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1002, (payload[0] << 8) | payload[1]);
        Assert.Contains("unmasked frame", System.Text.Encoding.UTF8.GetString(payload, 2, payload.Length - 2), StringComparison.Ordinal);
        Exception error = await failure.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("unmasked frame", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10))); // the request ended, the connection with it
    }

    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            head.Add(one[0]);
        }

        return System.Text.Encoding.ASCII.GetString([.. head]);
    }

    private static async Task<WebApplication> StartEchoAsync(bool http2, TaskCompletionSource<Exception>? failure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Protocols = http2 ? HttpProtocols.Http2 : HttpProtocols.Http1));
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            using ServerWebSocketStream socket = await EdgeWebSockets.AcceptAsync(context, "drawbridge-mux.1");
            byte[] buffer = new byte[10_000];
            int count;
            try
            {
                while ((count = await socket.ReadAsync(buffer)) > 0)
                {
                    await socket.WriteAsync(buffer.AsMemory(0, count));
                }
            }
            catch (WebSocketException ex) when (failure is not null)
            {
                failure.TrySetResult(ex);
                return;
            }

            await socket.CompleteWritesAsync();
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all);
        return all.ToArray();
    }
}
