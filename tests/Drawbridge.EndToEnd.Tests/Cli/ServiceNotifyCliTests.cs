using System.Net.Sockets;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// The real processes talk sd_notify to a socket bound here, as systemd would for a Type=notify
/// unit: READY=1 only once they can serve, WATCHDOG=1 while alive, STOPPING=1 when SIGTERM drains.
/// </summary>
public sealed class ServiceNotifyCliTests
{
    private const string Hostname = "notify.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 180_000)]
    public async Task Connector_IsReadyOnlyOnceTheEdgeHasItsLink_PingsTheWatchdog_AndSaysStoppingOnSigterm()
    {
        await using var echo = EchoServer.Start();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("notifying", Hostname);
        using var systemd = new NotifySocket();
        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnel.ToToken(), "--url", $"tcp://127.0.0.1:{echo.Port}", "--edge", stack.EdgeAddress, "--ha-connections", "2"],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Name, ["WATCHDOG_USEC"] = "400000" });

        string ready = await systemd.WaitForAsync(m => m.Contains("READY=1", StringComparison.Ordinal), Limit);
        Assert.NotEmpty(stack.Edge.Registry.LinksOf(tunnel.TunnelId).Where(l => l.Session.IsOpen));
        Assert.Matches(@"STATUS=\d links? registered with the edge", ready);
        for (int i = 0; i < 3; i++)
        {
            await systemd.WaitForAsync(m => m == "WATCHDOG=1", Limit);
        }

        await SignalCliTests.SignalAsync(connector, "TERM");
        await systemd.WaitForAsync(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal), Limit);
        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(connector, Limit));
        Assert.Single(systemd.Received, m => m.Contains("READY=1", StringComparison.Ordinal));
    }

    [Fact(Timeout = 180_000)]
    public async Task Connector_WhoseEdgeIsUnreachable_NeverSaysReady()
    {
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("stranded", Hostname);
        using var systemd = new NotifySocket();
        int closed = LoopbackPort.Reserve();
        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnel.ToToken(), "--url", "tcp://127.0.0.1:9", "--edge", $"127.0.0.1:{closed}", "--ha-connections", "1"],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Name });

        await DrawbridgeCli.WaitForAsync(connector, "could not connect", count: 2, timeout: Limit);
        Assert.Equal(0, systemd.Pending);

        await SignalCliTests.SignalAsync(connector, "TERM");
        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(connector, Limit));
        string only = await systemd.WaitForAsync(_ => true, Limit);
        Assert.StartsWith("STOPPING=1", only, StringComparison.Ordinal); // no READY before it
    }

    [Fact(Timeout = 180_000)]
    public async Task Edge_IsReadyOnceItListens_AndSaysStoppingOnSigterm()
    {
        await using var cli = new DrawbridgeCli();
        using var systemd = new NotifySocket();
        (ExternalProcess edge, int port) = await cli.StartEdgeAsync(cli.Scratch("edge"),
            environment: new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Name, ["WATCHDOG_USEC"] = "400000" });

        string ready = await systemd.WaitForAsync(m => m.Contains("READY=1", StringComparison.Ordinal), Limit);
        Assert.Contains($"STATUS=listening on 127.0.0.1:{port}", ready, StringComparison.Ordinal);
        using (var probe = new TcpClient())
        {
            await probe.ConnectAsync("127.0.0.1", port).WaitAsync(Limit);
        }

        await systemd.WaitForAsync(m => m == "WATCHDOG=1", Limit);
        await SignalCliTests.SignalAsync(edge, "TERM");
        await systemd.WaitForAsync(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal), Limit);
        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(edge, Limit));
    }
}
