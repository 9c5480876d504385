using System.Net.Sockets;
using System.Security.Cryptography;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>Bytes through the whole path: listener → client → edge (TLS) → connector → origin, real sockets.</summary>
public sealed class TunnelPathTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Theory(Timeout = 60_000)]
    [InlineData("link")]
    [InlineData("http2")]
    [InlineData("http1")]
    public async Task Echo_RoundTripsOverTheLinkAndOverHttp2AndHttp1WebSockets(string mode)
    {
        bool http2 = mode == "http2";
        using var deadline = new CancellationTokenSource(Limit);
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("echo", "echo.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        var token = await stack.CreateServiceTokenAsync();
        var forwarder = stack.StartForwarder("echo.test", token, http2, webSocketPerConnection: mode != "link");

        using TcpClient client = await forwarder.ConnectAsync();
        byte[] answer = await client.ExchangeAsync("hello, drawbridge"u8.ToArray(), 1024, deadline.Token);

        Assert.Equal("hello, drawbridge", System.Text.Encoding.UTF8.GetString(answer));
        string line = await stack.Logs.WaitForAsync(l => l.Contains("to echo.test", StringComparison.Ordinal) && l.Contains("17 bytes up", StringComparison.Ordinal), Limit);
        Assert.Contains("by service-token:test", line, StringComparison.Ordinal);
        Assert.Contains(mode switch { "link" => "over link/HTTP/1.1:", "http2" => "over HTTP/2:", _ => "over HTTP/1.1:" }, line, StringComparison.Ordinal);
        Assert.Contains(": closed after", line, StringComparison.Ordinal);
        Assert.Contains("17 bytes up, 17 bytes down", line, StringComparison.Ordinal);
        if (mode != "http1")
        {
            // Many connections share one TLS session: the edge sees the second connection arrive
            // from the same TCP connection (same client port) as the first.
            using TcpClient second = await forwarder.ConnectAsync();
            Assert.Equal("again"u8.ToArray(), await second.ExchangeAsync("again"u8.ToArray(), 1024, deadline.Token));
            await stack.Logs.WaitForAsync(l => l.Contains("to echo.test", StringComparison.Ordinal) && l.Contains("5 bytes up", StringComparison.Ordinal), Limit);
            string[] clients = [.. stack.Logs.Lines.Where(l => l.Contains("Connection", StringComparison.Ordinal) && l.Contains("to echo.test", StringComparison.Ordinal))
                .Select(l => l.Split(" from ")[1].Split(' ')[0])];
            Assert.Equal(2, clients.Length);
            Assert.Single(clients.Distinct());
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Integrity_32ConcurrentStreamsCarry256MiBWithEveryByteIntact()
    {
        const int Streams = 32;
        const int BytesEachWay = 4 * 1024 * 1024; // 32 × 4 MiB × 2 directions = 256 MiB moved
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("bulk", "bulk.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        var forwarder = stack.StartForwarder("bulk.test", await stack.CreateServiceTokenAsync());

        async Task OneStreamAsync(int seed)
        {
            byte[] data = new byte[BytesEachWay];
            new Random(seed).NextBytes(data);
            using TcpClient client = await forwarder.ConnectAsync();
            NetworkStream stream = client.GetStream();
            Task<byte[]> reading = stream.ReadToEndAsync(BytesEachWay + 1, deadline.Token);
            for (int offset = 0; offset < data.Length; offset += 256 * 1024)
            {
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(256 * 1024, data.Length - offset)), deadline.Token);
            }

            client.Client.Shutdown(SocketShutdown.Send);
            byte[] echoed = await reading;
            Assert.Equal(data.Length, echoed.Length);
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(echoed));
        }

        await Task.WhenAll(Enumerable.Range(1, Streams).Select(OneStreamAsync));

        Assert.Equal((long)Streams * BytesEachWay, echo.BytesEchoed);
        Assert.Empty(echo.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task HalfClose_OriginSeesEofAndItsWholeReplyStillArrives()
    {
        using var deadline = new CancellationTokenSource(Limit);
        await using var origin = ReplyAfterEofServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("half", "half.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(origin.EndPoint));
        var forwarder = stack.StartForwarder("half.test", await stack.CreateServiceTokenAsync());
        byte[] request = RandomNumberGenerator.GetBytes(300_000);

        using TcpClient client = await forwarder.ConnectAsync();
        byte[] reply = await client.ExchangeAsync(request, origin.PayloadLength + 1024, deadline.Token);

        Assert.Equal(origin.ExpectedReply(request), reply);
    }
}
