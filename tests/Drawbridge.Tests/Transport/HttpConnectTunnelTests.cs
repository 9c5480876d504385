using System.Net.Sockets;
using System.Text;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Tests.Transport;

/// <summary>CONNECT through a fake proxy on a real loopback socket.</summary>
public sealed class HttpConnectTunnelTests
{
    private const int TestTimeout = 30_000;

    private static async Task<EdgeDialException> RefusedAsync(FakeProxy proxy, string userInfo = "")
    {
        using TcpClient client = await proxy.ConnectAsync();
        using var deadline = new CancellationTokenSource(FakeProxy.EventTimeout);
        var ex = await Assert.ThrowsAsync<EdgeDialException>(
            () => HttpConnectTunnel.OpenAsync(client.GetStream(), proxy.Uri(userInfo), "edge.example.com", 443, deadline.Token));
        Assert.Equal(ConnectionOutcome.EdgeUnreachable, ex.Outcome);
        Assert.Contains($"the proxy 127.0.0.1:{proxy.Port} ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Connect_SendsTheTargetInTheRequestLineAndHostHeader()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.1 200 Connection established\r\n\r\n");
        using TcpClient client = await proxy.ConnectAsync();

        await HttpConnectTunnel.OpenAsync(client.GetStream(), proxy.Uri(), "edge.example.com", 8443, CancellationToken.None).WaitAsync(FakeProxy.EventTimeout);

        Assert.Equal("CONNECT edge.example.com:8443 HTTP/1.1\r\nHost: edge.example.com:8443\r\n\r\n", await proxy.Request);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Connect_ToAnIPv6Target_BracketsTheAddress()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.0 200 OK\r\n\r\n");
        using TcpClient client = await proxy.ConnectAsync();

        await HttpConnectTunnel.OpenAsync(client.GetStream(), proxy.Uri(), "2001:db8::1", 443, CancellationToken.None).WaitAsync(FakeProxy.EventTimeout);

        Assert.StartsWith("CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n", await proxy.Request, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Established_TunnelCarriesBytesBothWays_AndSwallowsNoneThatFollowTheHeaders()
    {
        byte[] greeting = Encoding.ASCII.GetBytes("edge-speaks-first");
        await using var proxy = FakeProxy.Tunnelling("HTTP/1.1 200 Connection established\r\nVia: 1.1 fake\r\n\r\n", greeting);
        using TcpClient client = await proxy.ConnectAsync();
        NetworkStream stream = client.GetStream();

        await HttpConnectTunnel.OpenAsync(stream, proxy.Uri(), "edge.example.com", 443, CancellationToken.None).WaitAsync(FakeProxy.EventTimeout);
        byte[] first = new byte[greeting.Length];
        await stream.ReadExactlyAsync(first).AsTask().WaitAsync(FakeProxy.EventTimeout);
        await stream.WriteAsync("ping"u8.ToArray());
        byte[] echoed = new byte[4];
        await stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(FakeProxy.EventTimeout);

        Assert.Equal(greeting, first);
        Assert.Equal("ping"u8.ToArray(), echoed);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Credentials_InTheProxyUrl_AreSentDecodedAsBasic()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.1 200 OK\r\n\r\n");
        using TcpClient client = await proxy.ConnectAsync();

        await HttpConnectTunnel.OpenAsync(client.GetStream(), proxy.Uri("alice:p%40ss%3Aw0rd@"), "edge.example.com", 443, CancellationToken.None)
            .WaitAsync(FakeProxy.EventTimeout);

        string expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:p@ss:w0rd"));
        Assert.Contains($"\r\nProxy-Authorization: Basic {expected}\r\n", await proxy.Request, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task NoCredentials_SendsNoProxyAuthorization()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.1 200 OK\r\n\r\n");
        using TcpClient client = await proxy.ConnectAsync();

        await HttpConnectTunnel.OpenAsync(client.GetStream(), proxy.Uri(), "edge.example.com", 443, CancellationToken.None).WaitAsync(FakeProxy.EventTimeout);

        Assert.DoesNotContain("Proxy-Authorization", await proxy.Request, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Status407_SaysTheProxyWantsCredentialsAndWhereToPutThem()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n\r\n");

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains("refused CONNECT to edge.example.com:443: HTTP/1.1 407 Proxy Authentication Required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("it wants credentials: put them in HTTPS_PROXY as http://user:password@host:port", ex.Message, StringComparison.Ordinal);
        Assert.Equal(407, ex.ProxyStatus);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Status407_WithWrongCredentials_NeverEchoesThePassword()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");

        EdgeDialException ex = await RefusedAsync(proxy, "alice:hunter2@");

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("HTTP/1.1 403 Forbidden")]
    [InlineData("HTTP/1.1 502 Bad Gateway")]
    [InlineData("HTTP/1.0 503 Service Unavailable")]
    public async Task RefusingStatus_IsReportedWithItsStatusLine(string statusLine)
    {
        await using var proxy = FakeProxy.Answering($"{statusLine}\r\nContent-Length: 0\r\n\r\n");

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains($"refused CONNECT to edge.example.com:443: {statusLine}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("credentials", ex.Message, StringComparison.Ordinal);
        Assert.Equal(int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), ex.ProxyStatus);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task StatusLineWithTerminalEscapes_IsShownWithoutThem()
    {
        await using var proxy = FakeProxy.Answering("HTTP/1.1 403 \u001b[2J\u001b]0;owned\u0007\r\n\r\n");

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains("HTTP/1.1 403 ?[2J?]0;owned?", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ex.Message, char.IsControl);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n\r\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("HTTP/2 200\r\n\r\n")]
    [InlineData("HTTP/1.1\r\n\r\n")]
    public async Task NonHttpAnswer_IsReportedAsNotHttp(string answer)
    {
        await using var proxy = FakeProxy.Answering(answer);

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains("answered CONNECT with something that is not HTTP", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A SOCKS5 server's method reply: two bytes and no blank line, ever. The dial fails now, not at its timeout.</summary>
    [Fact(Timeout = TestTimeout)]
    public async Task NonHttpAnswerThatNeverEnds_FailsAtOnce()
    {
        await using var proxy = FakeProxy.SendingBytes([0x05, 0xFF, 0x00, 0x00, 0x00]);

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains("answered CONNECT with something that is not HTTP: '?", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task HeaderFlood_StopsAtSixteenKibibytes()
    {
        string flood = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat($"X-Filler: {new string('a', 90)}\r\n", 200));
        Assert.True(flood.Length > 20 * 1000);
        await using var proxy = FakeProxy.Answering(flood);

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains("answered CONNECT with more than 16384 bytes of headers", ex.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 Conn")]
    [InlineData("HTTP/1.1 200 Connection established\r\n")]
    public async Task ProxyClosingMidAnswer_SaysItClosedDuringConnect(string partial)
    {
        await using var proxy = FakeProxy.AnsweringThenClosing(partial);

        EdgeDialException ex = await RefusedAsync(proxy);

        Assert.Contains("closed the connection during CONNECT", ex.Message, StringComparison.Ordinal);
    }
}
