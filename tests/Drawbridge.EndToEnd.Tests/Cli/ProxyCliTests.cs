using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// Connector and client processes behind a corporate proxy (<c>HTTPS_PROXY</c>, real tinyproxy):
/// every link and every client connection is an HTTP CONNECT through it, and a proxy that
/// refuses is named in the error.
/// </summary>
public sealed class ProxyCliTests
{
    private const string Hostname = "echo.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task ConnectorAndClient_WithHttpsProxy_ReachTheEdgeOnlyThroughConnect()
    {
        await using TinyproxyFixture proxy = await TinyproxyFixture.StartAsync();
        await using var echo = EchoServer.Start();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("proxied", Hostname);
        ServiceTokenPair token = await stack.CreateServiceTokenAsync();
        var behindProxy = new Dictionary<string, string?> { ["HTTPS_PROXY"] = proxy.ProxyUri.ToString() };

        // 1. The connector's four links (the default) are four CONNECTs to the edge.
        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnel.ToToken(), "--url", $"tcp://127.0.0.1:{echo.Port}", "--edge", stack.EdgeAddress],
            behindProxy);
        await DrawbridgeCli.WaitForAsync(connector, @"Registered tunnel link \d to edge", count: 4);
        await stack.WaitForLinksAsync(tunnel.TunnelId, 4);
        await proxy.WaitForConnectRequestsAsync(4, Limit);

        // 2. The client's connection is one more.
        (_, int port) = await cli.StartAccessAsync(Hostname, DrawbridgeCli.AccessArguments(stack, token), behindProxy);
        Assert.Equal("through the proxy", await DrawbridgeCli.ExchangeAsync(port, "through the proxy"));
        await proxy.WaitForConnectRequestsAsync(5, Limit);

        Assert.Contains($"CONNECT 127.0.0.1:{stack.Edge.Port} HTTP/1.1", proxy.Output, StringComparison.Ordinal);
        Assert.Equal(1, echo.AcceptedConnections);
    }

    [Fact(Timeout = 120_000)]
    public async Task Client_WithAProxyThatRefuses_SaysEdgeUnreachableAndNamesTheProxy()
    {
        await using var cli = new DrawbridgeCli();
        int closed = LoopbackPort.Reserve();

        ProcessResult result = await cli.RunAsync(
            ["access", "tcp", "--hostname", Hostname, "--edge", "127.0.0.1:443"],
            new Dictionary<string, string?> { ["HTTPS_PROXY"] = $"http://127.0.0.1:{closed}" });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(
            $"drawbridge: {Hostname}: edge_unreachable: the proxy at 127.0.0.1:{closed} refused the TCP connection: is it running on that port?",
            result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Connector_WithAProxyThatRefuses_SaysSoAndKeepsRetrying()
    {
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("proxied", Hostname);
        int closed = LoopbackPort.Reserve();

        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnel.ToToken(), "--url", "tcp://127.0.0.1:9", "--edge", stack.EdgeAddress, "--ha-connections", "1"],
            new Dictionary<string, string?> { ["HTTPS_PROXY"] = $"http://127.0.0.1:{closed}" });

        // Two failures in a row: it retries (with backoff) rather than exiting.
        await DrawbridgeCli.WaitForAsync(
            connector, $@"Tunnel link 0 could not connect: the proxy at 127\.0\.0\.1:{closed} refused the TCP connection.*; retrying in \d+ ms", count: 2);
        Assert.False(connector.HasExited, connector.Output);
        Assert.Empty(stack.Edge.Registry.LinksOf(tunnel.TunnelId));
    }
}
