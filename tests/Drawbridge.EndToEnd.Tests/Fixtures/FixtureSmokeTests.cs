using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// Each fixture's real program works on its own, with no Drawbridge in between, so an
/// end-to-end failure points at Drawbridge rather than at the test set-up.
/// </summary>
public sealed class FixtureSmokeTests
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 60_000)]
    public async Task Sshd_RunsCommandForTheFixtureKey()
    {
        await using SshdFixture sshd = await SshdFixture.StartAsync();

        ProcessResult result = await sshd.RunSshAsync("echo hello");

        Assert.True(result.ExitCode == 0, $"{result}\n{sshd.Output}");
        Assert.Equal("hello\n", result.StandardOutput);
    }

    [Fact(Timeout = 60_000)]
    public async Task Sshd_RunsCommandThroughProxyCommand()
    {
        await using SshdFixture sshd = await SshdFixture.StartAsync();

        ProcessResult result = await sshd.RunSshAsync(
            "cat", proxyCommand: $"socat - TCP:127.0.0.1:{sshd.Port}", host: "ssh.example.test", standardInput: "through the proxy\n");

        Assert.True(result.ExitCode == 0, $"{result}\n{sshd.Output}");
        Assert.Equal("through the proxy\n", result.StandardOutput);
    }

    [Fact(Timeout = 60_000)]
    public async Task Redis_AnswersPingFromRedisCli()
    {
        await using RedisFixture redis = await RedisFixture.StartAsync();

        ProcessResult result = await RedisFixture.RunCliAsync(redis.Port, "PING");

        Assert.True(result.ExitCode == 0, $"{result}\n{redis.Output}");
        Assert.Equal("PONG", result.StandardOutput.Trim());
    }

    [Fact(Timeout = 60_000)]
    public async Task Iperf_MeasuresThroughputBothWays()
    {
        await using IperfServerFixture iperf = await IperfServerFixture.StartAsync();

        double upload = await IperfServerFixture.MeasureBitsPerSecondAsync("127.0.0.1", iperf.Port, seconds: 1);
        double download = await IperfServerFixture.MeasureBitsPerSecondAsync("127.0.0.1", iperf.Port, seconds: 1, reverse: true);

        Assert.True(upload > 0, iperf.Output);
        Assert.True(download > 0, iperf.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Tinyproxy_ConnectReachesTargetAndIsCounted()
    {
        await using EchoServer echo = EchoServer.Start();
        await using TinyproxyFixture proxy = await TinyproxyFixture.StartAsync();
        using var timeout = new CancellationTokenSource(IoTimeout);
        using Socket socket = await ConnectAsync(proxy.Port, timeout.Token);

        string request = $"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\nHost: 127.0.0.1:{echo.Port}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
        string response = await ReadHeadersAsync(socket, timeout.Token);
        Assert.StartsWith("HTTP/1.", response, StringComparison.Ordinal);
        Assert.Contains(" 200 ", response.Split("\r\n")[0], StringComparison.Ordinal);

        // No half-close here: tinyproxy closes both ways on the client's FIN, so the
        // echo would be lost. (Drawbridge's links through a proxy are WebSockets, which
        // carry their own close; they never rely on the proxy passing a FIN.)
        byte[] message = "through the proxy"u8.ToArray();
        await socket.SendAsync(message, SocketFlags.None, timeout.Token);
        byte[] echoed = await ReadExactlyAsync(socket, message.Length, timeout.Token);

        Assert.Equal(message, echoed);
        await proxy.WaitForConnectRequestsAsync(1, IoTimeout);
        Assert.Equal(1, proxy.ConnectRequestCount());
        Assert.Equal(1, echo.AcceptedConnections);
    }

    [Fact(Timeout = 60_000)]
    public async Task EchoServer_FinishesEchoingAfterClientHalfClose()
    {
        await using EchoServer echo = EchoServer.Start();
        using var timeout = new CancellationTokenSource(IoTimeout);
        using Socket socket = await ConnectAsync(echo.Port, timeout.Token);
        byte[] sent = RandomBytes(2 * 1024 * 1024);

        // Read while writing: the server echoes as it reads, so writing everything first
        // would fill both directions' buffers and stall.
        Task<byte[]> reading = ReadToEndAsync(socket, timeout.Token);
        await socket.SendAsync(sent, SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        byte[] received = await reading;

        Assert.Equal(sent, received);
        Assert.Equal(1, echo.AcceptedConnections);
        Assert.Empty(echo.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReplyAfterEofServer_RepliesOnlyAfterClientHalfClose()
    {
        await using ReplyAfterEofServer server = ReplyAfterEofServer.Start(payloadLength: 1024 * 1024);
        using var timeout = new CancellationTokenSource(IoTimeout);
        using Socket socket = await ConnectAsync(server.Port, timeout.Token);
        byte[] sent = RandomBytes(300 * 1024);

        await socket.SendAsync(sent, SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        byte[] received = await ReadToEndAsync(socket, timeout.Token);

        Assert.Equal(server.ExpectedReply(sent), received);
        Assert.Empty(server.Errors);
    }

    private static byte[] RandomBytes(int length) =>
        System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);

    private static async Task<Socket> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"The connection ended after {total} of {count} bytes.");
            }

            total += read;
        }

        return buffer;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    // Byte by byte, so no tunneled byte after the blank line is consumed with the headers.
    private static async Task<string> ReadHeadersAsync(Socket socket, CancellationToken cancellationToken)
    {
        var headers = new StringBuilder();
        var buffer = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) == 0)
            {
                throw new IOException($"The proxy closed the connection after: {headers}");
            }

            headers.Append((char)buffer[0]);
        }

        return headers.ToString();
    }
}
