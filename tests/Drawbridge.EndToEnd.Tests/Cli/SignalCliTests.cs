using System.Net.Sockets;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>SIGTERM drains instead of cutting users off: the connector and the edge processes stop
/// taking new work, let open connections finish within the grace period, then exit 0.</summary>
public sealed class SignalCliTests
{
    private const string Hostname = "drain.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 180_000)]
    public async Task ConnectorSigterm_OpenConnectionFinishesThenTheProcessExitsZero()
    {
        await using var echo = EchoServer.Start();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("draining", Hostname);
        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnel.ToToken(), "--url", $"tcp://127.0.0.1:{echo.Port}", "--edge", stack.EdgeAddress, "--ha-connections", "2", "--grace-period", "60s"]);
        await stack.WaitForLinksAsync(tunnel.TunnelId, 2);
        var forwarder = stack.StartForwarder(Hostname, await stack.CreateServiceTokenAsync());
        using TcpClient open = await forwarder.ConnectAsync();
        NetworkStream stream = open.GetStream();
        await EchoAsync(stream, "before");

        await SignalAsync(connector, "TERM");
        await DrawbridgeCli.WaitForAsync(connector, "Draining: no new streams", timeout: Limit);
        await EchoAsync(stream, "during the drain");
        open.Client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await stream.ReadToEndAsync(16, CancellationToken.None).WaitAsync(Limit));

        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(connector, Limit));
    }

    [Fact(Timeout = 180_000)]
    public async Task EdgeSigterm_RefusesNewConnectionsAsDrainingWhileAnOpenOneFinishes()
    {
        await using var echo = EchoServer.Start();
        await using var cli = new DrawbridgeCli();
        string data = cli.Scratch("edge");
        (ExternalProcess edge, int port) = await cli.StartEdgeAsync(data, gracePeriod: "60s");
        string admin = Path.Combine(data, "admin.json");
        await cli.RunSucceedingAsync("tunnel", "create", "drainer", "--admin-credential", admin);
        await cli.RunSucceedingAsync("tunnel", "route", "dns", "drainer", Hostname, "--admin-credential", admin);
        string tokenJson = await cli.RunSucceedingAsync("service-token", "create", "drain", "-o", "json", "--admin-credential", admin);
        using var token = System.Text.Json.JsonDocument.Parse(tokenJson);
        string id = token.RootElement.GetProperty("clientId").GetString()!;
        string secret = token.RootElement.GetProperty("clientSecret").GetString()!;
        ExternalProcess connector = cli.Start(["tunnel", "run", "drainer", "--url", $"tcp://127.0.0.1:{echo.Port}", "--edge", $"127.0.0.1:{port}"]);
        await DrawbridgeCli.WaitForAsync(connector, @"Registered tunnel link \d to edge", count: 4);
        string[] access = ["--edge", $"127.0.0.1:{port}", "--ca-cert", Path.Combine(data, "ca.pem"), "--service-token-id", id, "--service-token-secret", secret];
        (_, int listener) = await cli.StartAccessAsync(Hostname, access);
        using var open = new TcpClient();
        await open.ConnectAsync("127.0.0.1", listener);
        NetworkStream stream = open.GetStream();
        await EchoAsync(stream, "before");

        await SignalAsync(edge, "TERM");
        await DrawbridgeCli.WaitForAsync(edge, "Edge draining", timeout: Limit);
        ProcessResult refused = await cli.RunAsync(["access", "tcp", "--hostname", Hostname, .. access], standardInput: "x");
        await EchoAsync(stream, "during the drain");
        open.Client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await stream.ReadToEndAsync(16, CancellationToken.None).WaitAsync(Limit));

        Assert.Contains("edge_draining", refused.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(edge, Limit));
    }

    internal static async Task SignalAsync(ExternalProcess process, string signal)
    {
        ProcessResult kill = await ExternalProcess.RunAsync("kill", [$"-{signal}", DrawbridgeCli.Invariant(process.ProcessId)], Limit);
        Assert.True(kill.ExitCode == 0, kill.ToString());
    }

    /// <summary>Writes the text and expects the echo origin to send it back.</summary>
    internal static async Task EchoAsync(NetworkStream stream, string text)
    {
        byte[] sent = System.Text.Encoding.UTF8.GetBytes(text);
        await stream.WriteAsync(sent);
        byte[] received = new byte[sent.Length];
        await stream.ReadExactlyAsync(received).AsTask().WaitAsync(Limit);
        Assert.Equal(sent, received);
    }
}
