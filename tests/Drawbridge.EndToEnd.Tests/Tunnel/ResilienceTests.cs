using System.Diagnostics;
using System.Net.Sockets;
using Drawbridge.Edge.Connectors;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>Links die and edges restart; users' new connections keep working and connectors come back by themselves.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 90_000)]
    public async Task LinkKilledAtTheEdge_IsRestoredWhileNewConnectionsKeepSucceeding()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("sturdy", "sturdy.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        var forwarder = stack.StartForwarder("sturdy.test", await stack.CreateServiceTokenAsync());
        ConnectorLink victim = stack.Edge.Registry.LinksOf(tunnel.TunnelId)[0];

        victim.Session.Abort("killed by the test");
        for (int i = 0; i < 20; i++)
        {
            await RoundTripAsync(forwarder, $"during-{i}");
        }

        await stack.WaitForLinksAsync(tunnel.TunnelId, 2);
        Assert.DoesNotContain(victim, stack.Edge.Registry.LinksOf(tunnel.TunnelId));
        await stack.Logs.WaitForAsync(l => l.Contains($"Tunnel link {victim.LinkIndex} ended", StringComparison.Ordinal) && l.Contains("reconnecting in", StringComparison.Ordinal), Limit);
        await RoundTripAsync(forwarder, "after");
    }

    [Fact(Timeout = 90_000)]
    public async Task EdgeRestarted_ConnectorIsRegisteredAgainWithinFiveSeconds()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("patient", "patient.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        var token = await stack.CreateServiceTokenAsync();

        await stack.RestartEdgeAsync();
        var sinceRestart = Stopwatch.StartNew();
        await stack.WaitForLinksAsync(tunnel.TunnelId, 1);
        TimeSpan registered = sinceRestart.Elapsed;

        Assert.True(registered < TimeSpan.FromSeconds(5), $"re-registered after {registered.TotalSeconds:0.0} s");
        var forwarder = stack.StartForwarder("patient.test", token);
        await RoundTripAsync(forwarder, "after restart");
    }

    [Fact(Timeout = 90_000)]
    public async Task ConnectorStopping_LetsAnOpenConnectionFinishWithinTheGracePeriod()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("graceful", "graceful.test");
        ConnectorHandle connector = await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint),
            o => o with { GracePeriod = TimeSpan.FromSeconds(30) });
        var forwarder = stack.StartForwarder("graceful.test", await stack.CreateServiceTokenAsync());
        using TcpClient open = await forwarder.ConnectAsync();
        NetworkStream stream = open.GetStream();
        await stream.WriteAsync("before"u8.ToArray());
        Assert.Equal("before"u8.ToArray(), await ReadExactlyAsync(stream, 6));

        Task stopping = connector.DisposeAsync().AsTask();
        await stack.Logs.WaitForAsync(l => l.Contains("Draining", StringComparison.Ordinal), Limit);
        await stream.WriteAsync("during drain"u8.ToArray());
        Assert.Equal("during drain"u8.ToArray(), await ReadExactlyAsync(stream, 12));
        open.Client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await stream.ReadToEndAsync(10, CancellationToken.None));

        await stopping.WaitAsync(Limit);
    }

    private static async Task RoundTripAsync(ForwarderHandle forwarder, string text)
    {
        byte[] request = System.Text.Encoding.UTF8.GetBytes(text);
        using TcpClient client = await forwarder.ConnectAsync();
        byte[] answer = await client.ExchangeAsync(request, 1024, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(request, answer);
    }

    private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count)
    {
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Limit);
        return buffer;
    }
}
