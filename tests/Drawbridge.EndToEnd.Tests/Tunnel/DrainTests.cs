using System.Net.Sockets;
using Drawbridge.Edge.Connectors;
using Drawbridge.EndToEnd.Tests.Cli;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>An edge going away (GOAWAY on a link, or the whole edge stopping) costs users nothing they could keep.</summary>
public sealed class DrainTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 90_000)]
    public async Task LinkToldToGoAway_NewConnectionsUseTheOtherLinksWithoutErrors_AndTheLinkIsReplaced()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("mover", "mover.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        var forwarder = stack.StartForwarder("mover.test", await stack.CreateServiceTokenAsync());
        using TcpClient open = await forwarder.ConnectAsync();
        await SignalCliTests.EchoAsync(open.GetStream(), "before");
        ConnectorLink leaving = stack.Edge.Registry.LinksOf(tunnel.TunnelId)[0];

        leaving.Session.GoAway("the test drains this link");
        for (int i = 0; i < 20; i++)
        {
            using TcpClient client = await forwarder.ConnectAsync();
            byte[] request = System.Text.Encoding.UTF8.GetBytes($"during-{i}");
            Assert.Equal(request, await client.ExchangeAsync(request, 1024, CancellationToken.None).WaitAsync(Limit));
        }

        await SignalCliTests.EchoAsync(open.GetStream(), "still open");
        await stack.WaitForLinksAsync(tunnel.TunnelId, 2);
        Assert.DoesNotContain(leaving, stack.Edge.Registry.LinksOf(tunnel.TunnelId).Where(l => l.Session.IsOpen));
        await stack.Logs.WaitForAsync(l => l.Contains("opening a replacement", StringComparison.Ordinal), Limit);
        Assert.Empty(forwarder.Messages);
    }

    [Fact(Timeout = 90_000)]
    public async Task EdgeStopping_RefusesNewConnectionsAsDraining_AndClosesWhatOutlivesTheGracePeriodWithAReason()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync(); // grace period 5 s
        var tunnel = await stack.CreateTunnelAsync("lingering", "linger.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        var forwarder = stack.StartForwarder("linger.test", await stack.CreateServiceTokenAsync());
        using TcpClient open = await forwarder.ConnectAsync();
        await SignalCliTests.EchoAsync(open.GetStream(), "before");

        Task stopping = stack.Edge.StopAsync();
        var refusal = await Assert.ThrowsAsync<EdgeDialException>(() => forwarder.Dialer.DialAsync(CancellationToken.None));
        Assert.Equal(ConnectionOutcome.EdgeDraining, refusal.Outcome);
        Assert.Contains("shutting down", refusal.Message, StringComparison.Ordinal);
        await SignalCliTests.EchoAsync(open.GetStream(), "during the grace period");

        await stopping.WaitAsync(Limit);
        byte[] buffer = new byte[16];
        try
        {
            Assert.Equal(0, await open.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Limit));
        }
        catch (IOException)
        {
            // reset: closed
        }

        string ended = await stack.Logs.WaitForAsync(l => l.Contains("to linger.test", StringComparison.Ordinal) && l.Contains("going_away", StringComparison.Ordinal), Limit);
        Assert.Contains("grace period for open connections ended", ended, StringComparison.Ordinal);
    }
}
