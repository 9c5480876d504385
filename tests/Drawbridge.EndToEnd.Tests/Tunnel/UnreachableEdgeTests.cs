using System.Net;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.Connector;
using Drawbridge.Connector.Supervision;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>When the edge cannot be reached, both ends say which step failed instead of "bad handshake".</summary>
public sealed class UnreachableEdgeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 60_000)]
    public async Task Client_NamesTheRefusedAddressWhenNothingListens()
    {
        int closed = LoopbackPort.Reserve();
        using var dialer = new AccessDialer(new AccessOptions { Hostname = "db.test", EdgeAddress = $"127.0.0.1:{closed}" });

        var failure = await Assert.ThrowsAsync<EdgeDialException>(() => dialer.DialAsync(CancellationToken.None));

        Assert.Equal(ConnectionOutcome.EdgeUnreachable, failure.Outcome);
        Assert.Contains($"the edge at 127.0.0.1:{closed} refused the TCP connection", failure.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Client_ExplainsAnUntrustedCertificate()
    {
        await using var stack = await DrawbridgeStack.StartAsync();
        using var dialer = new AccessDialer(new AccessOptions { Hostname = "db.test", EdgeAddress = stack.EdgeAddress }); // no --ca-cert

        var failure = await Assert.ThrowsAsync<EdgeDialException>(() => dialer.DialAsync(CancellationToken.None));

        Assert.Equal(ConnectionOutcome.EdgeUnreachable, failure.Outcome);
        Assert.Contains("certificate is not trusted", failure.Message, StringComparison.Ordinal);
        Assert.Contains("--ca-cert", failure.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Client_NamesAProxyThatIsNotThere()
    {
        int closed = LoopbackPort.Reserve();
        using var dialer = new AccessDialer(new AccessOptions
        {
            Hostname = "db.test",
            EdgeAddress = "127.0.0.1:443",
            Proxy = new ProxySettings(new Uri($"http://127.0.0.1:{closed}"), []),
        });

        var failure = await Assert.ThrowsAsync<EdgeDialException>(() => dialer.DialAsync(CancellationToken.None));

        Assert.Contains($"the proxy at 127.0.0.1:{closed} refused", failure.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Connector_LogsWhyItCannotConnectAndKeepsRetrying()
    {
        int closed = LoopbackPort.Reserve();
        var logs = new CapturedLogs();
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(logs.Configure);
        var credential = new TunnelCredential(Guid.NewGuid(), "lonely", SecretHash.NewSecret(), "https://edge.test", null);
        var options = new ConnectorOptions
        {
            Credential = credential,
            Ingress = DrawbridgeStack.To(new IPEndPoint(IPAddress.Loopback, 9)),
            EdgeAddress = $"127.0.0.1:{closed}",
            HaConnections = 1,
        };
        using var supervisor = new ConnectorSupervisor(options, loggers, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task running = supervisor.RunAsync(stop.Token);

        string first = await logs.WaitForAsync(l => l.Contains("could not connect", StringComparison.Ordinal), Limit);
        await logs.WaitForAsync(l => l.Contains("could not connect", StringComparison.Ordinal) && l != first, Limit);

        Assert.Contains($"the edge at 127.0.0.1:{closed} refused the TCP connection", first, StringComparison.Ordinal);
        Assert.Contains("retrying in", first, StringComparison.Ordinal);
        Assert.False(supervisor.IsReady);
        await stop.CancelAsync();
        await running.WaitAsync(Limit);
    }
}
