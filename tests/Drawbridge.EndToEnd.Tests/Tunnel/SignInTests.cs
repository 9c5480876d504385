using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>
/// A person signs in with an e-mailed one-time PIN (shown in the edge's log: the development
/// setting), approves a device code, and the app token the CLI receives opens a connection that
/// the app's policy admits — and only for the people the policy names.
/// </summary>
public sealed partial class SignInTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task DeviceFlowWithPin_GivesAnAppTokenThatOpensAConnection()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await StartAppAsync(echo);
        using var browser = new EdgeBrowser(stack);

        string token = await SignInWithDeviceCodeAsync(stack, browser, "alice@example.com");

        using var dialer = new AccessDialer(new AccessOptions { Hostname = "app.test", EdgeAddress = stack.EdgeAddress, CaCertificatePem = stack.CaPem, AppToken = token });
        var (application, local) = await LoopbackPair.CreateAsync();
        Task<AccessResult> running = AccessConnection.RunAsync(dialer, local, CancellationToken.None);
        await application.WriteAsync("signed in"u8.ToArray());
        application.Socket.Shutdown(SocketShutdown.Send);
        byte[] echoed = await application.ReadToEndAsync(100, CancellationToken.None).WaitAsync(Limit);
        AccessResult result = await running.WaitAsync(Limit);

        Assert.Equal("signed in"u8.ToArray(), echoed);
        Assert.Equal(ConnectionOutcome.Closed, result.Outcome);
        string line = await stack.Logs.WaitForAsync(l => l.Contains("to app.test by email:alice@example.com", StringComparison.Ordinal), Limit);
        Assert.Contains(": closed after", line, StringComparison.Ordinal);
        await application.DisposeAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task UserThePolicyDoesNotName_IsDeniedAtTheTokenEndpoint()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await StartAppAsync(echo);
        using var browser = new EdgeBrowser(stack);

        JsonElement answer = await DeviceSignIn.ApproveAsync(stack, browser, "mallory@example.org", "app.test");

        Assert.Equal("access_denied", answer.GetProperty("error").GetString());
        Assert.Contains("app.test", answer.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task RevokedSession_ClosesTheOpenConnectionAndRefusesItsToken()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await StartAppAsync(echo);
        using var browser = new EdgeBrowser(stack);
        string token = await SignInWithDeviceCodeAsync(stack, browser, "alice@example.com");
        using var dialer = new AccessDialer(new AccessOptions { Hostname = "app.test", EdgeAddress = stack.EdgeAddress, CaCertificatePem = stack.CaPem, AppToken = token });
        var (application, local) = await LoopbackPair.CreateAsync();
        Task<AccessResult> running = AccessConnection.RunAsync(dialer, local, CancellationToken.None);
        await application.WriteAsync("x"u8.ToArray());
        await application.ReadExactlyAsync(new byte[1]).AsTask().WaitAsync(Limit);

        int revoked = (await stack.Edge.State.Store.RevokeSessionsByEmailAsync("alice@example.com", "off-boarded", CancellationToken.None)).Count;
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        AccessResult result = await running.WaitAsync(Limit);

        Assert.Equal(1, revoked);
        Assert.Equal(ConnectionOutcome.AccessRevoked, result.Outcome);
        var refusal = await Assert.ThrowsAsync<EdgeDialException>(() => dialer.DialAsync(CancellationToken.None));
        Assert.Equal(ConnectionOutcome.AccessRevoked, refusal.Outcome);
        await application.DisposeAsync();

        // The audit log says who, where, which policy admitted them, and why the connection ended.
        await stack.Logs.WaitForAsync(l => l.Contains("access_revoked after", StringComparison.Ordinal), Limit);
        await stack.Edge.FlushAuditAsync(CancellationToken.None);
        var audit = await stack.Edge.State.Store.ListAuditAsync(null, "email:alice@example.com", "app.test", "connection", 10, CancellationToken.None);
        var ended = Assert.Single(audit, e => e.Outcome == "access_revoked" && e.BytesUp is not null);
        Assert.Equal("example staff", ended.Policy);
        Assert.Contains("your session was revoked", ended.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task TokenForOneApp_IsRefusedOnAnother()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await StartAppAsync(echo);
        await stack.Edge.State.Store.AddRouteAsync("other.test", (await stack.Edge.State.Store.FindTunnelByNameAsync("web", CancellationToken.None))!.Id, CancellationToken.None);
        await stack.Edge.State.Store.CreateAppAsync("other.test", TimeSpan.FromHours(1), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync("other.test", "everyone", "allow", 1, ["everyone"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        using var browser = new EdgeBrowser(stack);
        string token = await SignInWithDeviceCodeAsync(stack, browser, "alice@example.com");

        using var dialer = new AccessDialer(new AccessOptions { Hostname = "other.test", EdgeAddress = stack.EdgeAddress, CaCertificatePem = stack.CaPem, AppToken = token });
        var refusal = await Assert.ThrowsAsync<EdgeDialException>(() => dialer.DialAsync(CancellationToken.None));

        Assert.Equal(ConnectionOutcome.Unauthenticated, refusal.Outcome);
        Assert.Contains("the token is for 'app.test', not 'other.test'", refusal.Message, StringComparison.Ordinal);
    }

    private static async Task<DrawbridgeStack> StartAppAsync(EchoServer echo)
    {
        var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("web", "app.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        await stack.Edge.State.Store.CreateAppAsync("app.test", TimeSpan.FromHours(8), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync("app.test", "example staff", "allow", 1, ["email-domain:example.com"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        return stack;
    }

    private static async Task<string> SignInWithDeviceCodeAsync(DrawbridgeStack stack, EdgeBrowser browser, string email)
    {
        JsonElement answer = await DeviceSignIn.ApproveAsync(stack, browser, email, "app.test");
        Assert.True(answer.TryGetProperty("access_token", out JsonElement token), answer.ToString());
        Assert.Equal("Bearer", answer.GetProperty("token_type").GetString());
        return token.GetString()!;
    }

}
