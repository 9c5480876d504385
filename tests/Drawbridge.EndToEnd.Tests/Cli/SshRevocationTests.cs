using System.Diagnostics;
using System.Text.Json;
using Drawbridge.Client.Login;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>Revoking a user ends their open ssh session through the tunnel within a second, and the
/// audit record says why (issue 3's live-enforcement test, with a real sshd and ssh).</summary>
public sealed class SshRevocationTests
{
    private const string Hostname = "ssh.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task RevokingTheUser_ClosesTheirOpenSshSessionWithinASecond()
    {
        await using SshdFixture sshd = await SshdFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("shell", Hostname);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(sshd.Port));
        await stack.Edge.State.Store.CreateAppAsync(Hostname, TimeSpan.FromHours(8), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync(Hostname, "staff", "allow", 1, ["email-domain:example.com"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        await using var cli = new DrawbridgeCli();

        // Alice signs in; her token sits in the CLI's cache, as `drawbridge access login` leaves it.
        using var browser = new EdgeBrowser(stack);
        JsonElement answer = await DeviceSignIn.ApproveAsync(stack, browser, "alice@example.com", Hostname);
        var cache = new TokenCache(Path.Combine(cli.ConfigDirectory, "tokens"), TimeProvider.System);
        cache.Save(Hostname, new CachedToken(answer.GetProperty("access_token").GetString()!, DateTimeOffset.UtcNow.AddHours(8), "alice@example.com"));

        // An interactive-style session: ssh through the ProxyCommand, holding the connection open.
        string proxy = DrawbridgeCli.ShellCommand("access", "tcp", "--hostname", Hostname, "--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath);
        ExternalProcess ssh = ExternalProcess.Start("ssh", sshd.SshArguments("echo session-open; sleep 120", proxy, Hostname), cli.Environment());
        await ssh.WaitForOutputAsync(o => o.Contains("session-open", StringComparison.Ordinal), Limit);

        var clock = Stopwatch.StartNew();
        await stack.Edge.State.Store.RevokeSessionsByEmailAsync("alice@example.com", "off-boarded", CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        int exit = await DrawbridgeCli.WaitForExitAsync(ssh, Limit);
        TimeSpan closedAfter = clock.Elapsed;

        Assert.NotEqual(0, exit);
        Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"the ssh session ended {closedAfter.TotalMilliseconds:0} ms after the revocation");
        Assert.Contains("access_revoked", ssh.Output, StringComparison.Ordinal);
        await stack.Logs.WaitForAsync(l => l.Contains($"to {Hostname} by email:alice@example.com", StringComparison.Ordinal) && l.Contains("access_revoked", StringComparison.Ordinal), Limit);
        await stack.Edge.FlushAuditAsync(CancellationToken.None);
        var audit = await stack.Edge.State.Store.ListAuditAsync(null, "email:alice@example.com", Hostname, "connection", 10, CancellationToken.None);
        var record = Assert.Single(audit, e => e.Outcome == "access_revoked");
        Assert.Equal("staff", record.Policy);
        Assert.Contains("your session was revoked", record.Detail, StringComparison.Ordinal);
    }
}
