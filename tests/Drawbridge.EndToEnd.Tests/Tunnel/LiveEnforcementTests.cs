using System.Diagnostics;
using System.Net.Sockets;
using Drawbridge.Client.Forwarding;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>Revocation revokes: open connections that are no longer allowed close within a second,
/// and the client is told why (pomerium#1279, pomerium/documentation#795).</summary>
public sealed class LiveEnforcementTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 90_000)]
    public async Task RevokedServiceToken_ClosesItsOpenConnectionWithinASecond()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("guarded", "guarded.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        ServiceTokenPair token = await stack.CreateServiceTokenAsync("ci");
        var forwarder = stack.StartForwarder("guarded.test", token);
        using TcpClient open = await forwarder.ConnectAsync();
        await EchoAsync(open, "before");

        var clock = Stopwatch.StartNew();
        await stack.Edge.State.Store.RevokeServiceTokenAsync(token.Id, CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        await AssertClosedAsync(open);
        TimeSpan closedAfter = clock.Elapsed;

        Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"closed after {closedAfter.TotalMilliseconds:0} ms");
        string line = await stack.Logs.WaitForAsync(l => l.Contains("to guarded.test", StringComparison.Ordinal) && l.Contains("access_revoked", StringComparison.Ordinal), Limit);
        Assert.Contains("service token was revoked", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task PolicyThatNoLongerAdmits_ClosesTheConnectionAndTheClientSaysWhy()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("ruled", "ruled.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        ServiceTokenPair token = await stack.CreateServiceTokenAsync("deployer");
        var store = stack.Edge.State.Store;
        await store.CreateAppAsync("ruled.test", TimeSpan.FromHours(8), CancellationToken.None);
        var allow = await store.AddPolicyAsync("ruled.test", "deployers", "service_auth", 1, ["service-token:deployer"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        var forwarder = stack.StartForwarder("ruled.test", token);
        var (application, local) = await LoopbackPair.CreateAsync();
        Task<AccessResult> running = AccessConnection.RunAsync(forwarder.Dialer, local, CancellationToken.None);
        await application.WriteAsync("hi"u8.ToArray());
        byte[] echoed = new byte[2];
        await application.ReadExactlyAsync(echoed).AsTask().WaitAsync(Limit);

        await store.DeletePolicyAsync(allow.Id, CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        AccessResult result = await running.WaitAsync(Limit);

        Assert.Equal(ConnectionOutcome.AccessRevoked, result.Outcome);
        Assert.Contains("no longer allowed", result.Message, StringComparison.Ordinal);
        var refusal = await Assert.ThrowsAsync<EdgeDialException>(() => forwarder.Dialer.DialAsync(CancellationToken.None));
        Assert.Equal(ConnectionOutcome.Denied, refusal.Outcome);
        await application.DisposeAsync();
    }

    [Fact(Timeout = 90_000)]
    public async Task AppWithPolicies_AdmitsOnlyTheServiceTokensItNames()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("picky", "picky.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        ServiceTokenPair named = await stack.CreateServiceTokenAsync("builder");
        ServiceTokenPair other = await stack.CreateServiceTokenAsync("stranger");
        var store = stack.Edge.State.Store;
        await store.CreateAppAsync("picky.test", TimeSpan.FromHours(8), CancellationToken.None);
        await store.AddPolicyAsync("picky.test", "builders", "service_auth", 1, ["service-token:builder"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);

        using TcpClient admitted = await stack.StartForwarder("picky.test", named).ConnectAsync();
        await EchoAsync(admitted, "welcome");
        var refusal = await Assert.ThrowsAsync<EdgeDialException>(() => stack.StartForwarder("picky.test", other).Dialer.DialAsync(CancellationToken.None));

        Assert.Equal(ConnectionOutcome.Denied, refusal.Outcome);
        Assert.Contains("picky.test", refusal.Message, StringComparison.Ordinal);
    }

    private static async Task EchoAsync(TcpClient client, string text)
    {
        byte[] sent = System.Text.Encoding.UTF8.GetBytes(text);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(sent);
        byte[] received = new byte[sent.Length];
        await stream.ReadExactlyAsync(received).AsTask().WaitAsync(Limit);
        Assert.Equal(sent, received);
    }

    /// <summary>The forwarder resets the local socket when the edge ends the connection abnormally.</summary>
    private static async Task AssertClosedAsync(TcpClient client)
    {
        byte[] buffer = new byte[16];
        try
        {
            int read = await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Limit);
            Assert.Equal(0, read);
        }
        catch (IOException)
        {
            // reset: closed
        }
    }
}
