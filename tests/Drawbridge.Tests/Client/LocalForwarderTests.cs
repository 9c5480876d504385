using System.Net;
using System.Net.Sockets;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;

namespace Drawbridge.Tests.Client;

public sealed class LocalForwarderTests
{
    private const int TestTimeout = 30_000;

    /// <summary>A dialer that is never used: these tests stop at the local listener.</summary>
    private static AccessDialer UnusedDialer() => new(new AccessOptions { Hostname = "db.example.com", EdgeAddress = "127.0.0.1:9" });

    [Theory]
    [InlineData("localhost:9210", "127.0.0.1", 9210)]
    [InlineData("LocalHost:9210", "127.0.0.1", 9210)]
    [InlineData("127.0.0.1:9210", "127.0.0.1", 9210)]
    [InlineData("tcp://localhost:9210", "127.0.0.1", 9210)]
    [InlineData("tcp://127.0.0.1:1", "127.0.0.1", 1)]
    [InlineData("[::1]:9210", "::1", 9210)]
    [InlineData("0.0.0.0:65535", "0.0.0.0", 65535)]
    public void ParseListen_ReadsLoopbackNamesAndAddresses(string url, string address, int port) =>
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), LocalForwarder.ParseListen(url));

    [Theory]
    [InlineData("localhost")]
    [InlineData("tcp://localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public void ParseListen_WithoutAPort_ShowsAnExample(string url) =>
        Assert.Equal($"--url '{url}' needs a port, e.g. localhost:9210", Assert.Throws<FormatException>(() => LocalForwarder.ParseListen(url)).Message);

    [Theory]
    [InlineData("db.example.com:9210")]
    [InlineData("tcp://db.example.com:9210")]
    [InlineData("localhost.evil.test:9210")]
    public void ParseListen_HostnameOtherThanLocalhost_IsRefused(string url) =>
        Assert.Equal($"--url '{url}': listen on an IP address or localhost", Assert.Throws<FormatException>(() => LocalForwarder.ParseListen(url)).Message);

    [Theory]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData("localhost:http")]
    [InlineData("localhost:9210:1")]
    [InlineData("[::1]9210")]
    [InlineData("local host:9210")]
    public void ParseListen_Garbage_IsAFormatError(string url) =>
        Assert.Throws<FormatException>(() => LocalForwarder.ParseListen(url));

    [Fact(Timeout = TestTimeout)]
    public async Task Listening_OnAFreePort_AcceptsConnections()
    {
        using AccessDialer dialer = UnusedDialer();
        using var forwarder = new LocalForwarder(dialer, new IPEndPoint(IPAddress.Loopback, 0), TextWriter.Null);

        using var client = new TcpClient();
        await client.ConnectAsync(forwarder.LocalEndpoint).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotEqual(0, forwarder.LocalEndpoint.Port);
        Assert.True(client.Connected);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Listening_OnAPortAlreadyInUse_SaysSoAndLeavesTheOtherListenerAlone()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = (IPEndPoint)occupant.LocalEndpoint;
        using AccessDialer dialer = UnusedDialer();

        var ex = Assert.Throws<InvalidOperationException>(() => new LocalForwarder(dialer, taken, TextWriter.Null));

        Assert.Equal($"{taken} is already in use: pick another --url port, or stop what listens there", ex.Message);
        Assert.IsType<SocketException>(ex.InnerException);
        using var client = new TcpClient();
        await client.ConnectAsync(taken).WaitAsync(TimeSpan.FromSeconds(10));
        using TcpClient accepted = await occupant.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(accepted.Connected);
    }
}
