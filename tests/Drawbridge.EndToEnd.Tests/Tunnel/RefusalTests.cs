using System.Net.Sockets;
using Drawbridge.Client.Forwarding;
using Drawbridge.Connector.Ingress;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>Every refusal has its own named outcome and a sentence that says what to do, and
/// never disturbs a healthy connection next to it.</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private EchoServer _echo = null!;
    private DrawbridgeStack _stack = null!;
    private ServiceTokenPair _token = null!;
    private ForwarderHandle _healthy = null!;

    public async Task InitializeAsync()
    {
        _echo = EchoServer.Start();
        _stack = await DrawbridgeStack.StartAsync();
        var tunnel = await _stack.CreateTunnelAsync("healthy", "healthy.test");
        await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(_echo.EndPoint));
        _token = await _stack.CreateServiceTokenAsync();
        _healthy = _stack.StartForwarder("healthy.test", _token);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownHostname_IsRefusedAsNoRoute()
    {
        EdgeDialException refusal = await DialExpectingRefusalAsync("nowhere.test", _token);

        Assert.Equal(ConnectionOutcome.NoRoute, refusal.Outcome);
        Assert.Contains("no tunnel serves nowhere.test", refusal.Message, StringComparison.Ordinal);
        await AssertHealthyStillWorksAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task RoutedHostnameWithoutConnector_IsRefusedAsNoConnector()
    {
        await _stack.CreateTunnelAsync("offline", "offline.test");

        EdgeDialException refusal = await DialExpectingRefusalAsync("offline.test", _token);

        Assert.Equal(ConnectionOutcome.NoConnector, refusal.Outcome);
        Assert.Contains("drawbridge tunnel run", refusal.Message, StringComparison.Ordinal);
        await AssertHealthyStillWorksAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task NoCredential_IsUnauthenticatedAndSaysHowToPassOne()
    {
        EdgeDialException refusal = await DialExpectingRefusalAsync("healthy.test", token: null);

        Assert.Equal(ConnectionOutcome.Unauthenticated, refusal.Outcome);
        Assert.Contains("--service-token-id", refusal.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task WrongSecretAndRevokedToken_AreUnauthenticated()
    {
        var wrong = _token with { Secret = SecretHash.ToHexSecret(SecretHash.NewSecret()) };
        Assert.Equal(ConnectionOutcome.Unauthenticated, (await DialExpectingRefusalAsync("healthy.test", wrong)).Outcome);

        var revoked = await _stack.CreateServiceTokenAsync("soon-revoked");
        await _stack.Edge.State.Store.RevokeServiceTokenAsync(revoked.Id, CancellationToken.None);
        await _stack.Edge.State.RefreshAsync(CancellationToken.None);
        Assert.Equal(ConnectionOutcome.Unauthenticated, (await DialExpectingRefusalAsync("healthy.test", revoked)).Outcome);

        await AssertHealthyStillWorksAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task CloudflaredHeaderNames_AreAcceptedForServiceTokens()
    {
        var dialer = new EdgeWebSocketDialer(
            new EdgeEndpoint("healthy.test", 443, "127.0.0.1", _stack.Edge.Port),
            new EdgeDialerOptions { CaCertificatePem = _stack.CaPem, PreferHttp2 = false });
        using (dialer)
        {
            await using WebSocketDuplexStream stream = await dialer.DialAsync("/",
                [new(WireNames.CloudflareClientIdHeader, _token.ClientId), new(WireNames.CloudflareClientSecretHeader, _token.Secret)],
                null, TimeSpan.Zero, CancellationToken.None);
            await stream.WriteAsync("ping"u8.ToArray());
            await stream.CompleteWritesAsync();
            byte[] answer = await stream.ReadToEndAsync(100, CancellationToken.None);
            Assert.Equal("ping"u8.ToArray(), answer);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task OriginRefusing_IsReportedAsOriginRefusedToTheClient()
    {
        int closedPort = LoopbackPort.Reserve(); // nothing listens there
        var tunnel = await _stack.CreateTunnelAsync("refusing", "refusing.test");
        await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(closedPort));

        AccessResult result = await ConnectOnceAsync("refusing.test");

        Assert.Equal(ConnectionOutcome.OriginRefused, result.Outcome);
        Assert.Contains("is it running", result.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{closedPort}", result.Message, StringComparison.Ordinal);
        await _stack.Logs.WaitForAsync(l => l.Contains("to refusing.test", StringComparison.Ordinal) && l.Contains("origin_refused", StringComparison.Ordinal), Limit);
        await AssertHealthyStillWorksAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task HostnameOnlyTheCatchAllMatches_IsReportedAsNoIngressRule()
    {
        var tunnel = await _stack.CreateTunnelAsync("strict", "listed.test", "unlisted.test");
        var rules = new IngressRules([new IngressRule("listed.test", IngressService.Parse($"tcp://{_echo.EndPoint}")), new IngressRule(null, IngressService.Reject)]);
        await _stack.StartConnectorAsync(tunnel, rules);

        AccessResult refused = await ConnectOnceAsync("unlisted.test");
        AccessResult allowed = await ConnectOnceAsync("listed.test");

        Assert.Equal(ConnectionOutcome.NoIngressRule, refused.Outcome);
        Assert.Contains("unlisted.test", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionOutcome.Closed, allowed.Outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task ConnectorWithWrongSecret_IsRefusedAndStopsWithTheReason()
    {
        var tunnel = await _stack.CreateTunnelAsync("impostor", "impostor.test");
        var forged = tunnel with { Secret = SecretHash.NewSecret() };

        var failure = await Assert.ThrowsAsync<EdgeDialException>(() => _stack.StartConnectorAsync(forged, DrawbridgeStack.To(_echo.EndPoint)));

        Assert.Equal(ConnectionOutcome.Unauthenticated, failure.Outcome);
        Assert.Contains("tunnel credential refused", failure.Message, StringComparison.Ordinal);
        await AssertHealthyStillWorksAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task DeletedTunnel_DisconnectsItsConnectorWhichThenStopsRefused()
    {
        var tunnel = await _stack.CreateTunnelAsync("doomed", "doomed.test");
        ConnectorHandle connector = await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(_echo.EndPoint));

        await _stack.Edge.State.Store.DeleteTunnelAsync(tunnel.TunnelId, CancellationToken.None);
        await _stack.Edge.State.RefreshAsync(CancellationToken.None); // closes the deleted tunnel's links

        var failure = await Assert.ThrowsAsync<EdgeDialException>(() => connector.Running.WaitAsync(Limit));
        Assert.Equal(ConnectionOutcome.Unauthenticated, failure.Outcome);
        Assert.Equal(ConnectionOutcome.NoRoute, (await DialExpectingRefusalAsync("doomed.test", _token)).Outcome);
        await AssertHealthyStillWorksAsync();
    }

    private async Task<EdgeDialException> DialExpectingRefusalAsync(string hostname, ServiceTokenPair? token)
    {
        ForwarderHandle forwarder = _stack.StartForwarder(hostname, token);
        return await Assert.ThrowsAsync<EdgeDialException>(() => forwarder.Dialer.DialAsync(CancellationToken.None));
    }

    private async Task<AccessResult> ConnectOnceAsync(string hostname)
    {
        ForwarderHandle forwarder = _stack.StartForwarder(hostname, _token);
        var (application, local) = await LoopbackPair.CreateAsync();
        await using (application)
        {
            Task<AccessResult> running = AccessConnection.RunAsync(forwarder.Dialer, local, CancellationToken.None);
            await application.WriteAsync("hi"u8.ToArray());
            application.Socket.Shutdown(SocketShutdown.Send);
            await ((Task)application.ReadToEndAsync(1024, CancellationToken.None)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            AccessResult result = await running.WaitAsync(Limit);
            await local.DisposeAsync();
            return result;
        }
    }

    private async Task AssertHealthyStillWorksAsync()
    {
        using TcpClient client = await _healthy.ConnectAsync();
        byte[] answer = await client.ExchangeAsync("still fine"u8.ToArray(), 100, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal("still fine"u8.ToArray(), answer);
    }
}
