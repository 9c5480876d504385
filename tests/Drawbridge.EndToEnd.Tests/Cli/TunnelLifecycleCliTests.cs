using System.Text.Json;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// The whole life of a tunnel with nothing but <c>drawbridge</c> processes: an edge, the admin
/// commands, a connector (<c>tunnel run</c>) and a client (<c>access tcp</c>); then revoking the
/// client's token and deleting the tunnel end them with messages that say why.
/// </summary>
public sealed class TunnelLifecycleCliTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 400_000)]
    public async Task EchoFlowsThroughProcesses_UntilTheTokenIsRevokedAndTheTunnelDeleted()
    {
        await using var echo = EchoServer.Start();
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        (ExternalProcess edge, int edgePort) = await cli.StartEdgeAsync(data);
        string edgeAddress = $"127.0.0.1:{edgePort}";
        string[] admin = ["--admin-credential", Path.Combine(data, "admin.json")];
        await cli.RunSucceedingAsync(["tunnel", "create", "db", .. admin]);
        await cli.RunSucceedingAsync(["tunnel", "route", "dns", "db", "db.test", .. admin]);
        string tunnelToken = (await cli.RunSucceedingAsync(["tunnel", "token", "db", .. admin])).Trim();
        (string clientId, string clientSecret) = await CreateServiceTokenAsync(cli, admin);

        // 1. The connector dials out and registers both links.
        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnelToken, "--url", $"tcp://127.0.0.1:{echo.Port}", "--edge", edgeAddress, "--ha-connections", "2"]);
        await DrawbridgeCli.WaitForAsync(connector, @"Registered tunnel link \d to edge", count: 2);
        await DrawbridgeCli.WaitForAsync(edge, @"Registered tunnel link \d of tunnel", count: 2);
        string info = await cli.RunSucceedingAsync(["tunnel", "info", "db", .. admin]);
        Assert.Contains("Links: 2", info, StringComparison.Ordinal);
        Assert.Contains(" link 0 from 127.0.0.1:", info, StringComparison.Ordinal);
        Assert.Contains(" link 1 from 127.0.0.1:", info, StringComparison.Ordinal);

        // 2. A client process listens locally and carries a connection to the echo service.
        (ExternalProcess access, int accessPort) = await cli.StartAccessAsync("db.test",
            ["--edge", edgeAddress, "--ca-cert", Path.Combine(data, "ca.pem"), "--service-token-id", clientId, "--service-token-secret", clientSecret]);
        Assert.Equal("hello through processes", await DrawbridgeCli.ExchangeAsync(accessPort, "hello through processes"));
        Assert.Equal(1, echo.AcceptedConnections);
        await DrawbridgeCli.WaitForAsync(edge, @"Connection \S+ to db\.test by service-token:ci from \S+( over \S+)?: closed after \d+ ms, 23 bytes up, 23 bytes down");

        // 3. Revoked: the next connection is refused before it reaches the connector (on the
        //    client's open link the edge resets that stream, naming the revocation).
        await cli.RunSucceedingAsync(["service-token", "revoke", "ci", .. admin]);
        try
        {
            Assert.Equal("", await DrawbridgeCli.ExchangeAsync(accessPort, ""));
        }
        catch (IOException)
        {
            // reset: the refused stream's local connection is aborted, as any failed one is
        }

        await DrawbridgeCli.WaitForAsync(access, "drawbridge: db.test: access_revoked: .*service token was revoked");
        Assert.Equal(1, echo.AcceptedConnections);
        Assert.False(access.HasExited, access.Output); // one refused connection does not stop the listener

        // 4. Deleted: the edge drops the links and refuses the credential; the connector gives up.
        string deleted = await cli.RunSucceedingAsync(["tunnel", "delete", "db", .. admin]);
        Assert.Contains("Deleted tunnel db", deleted, StringComparison.Ordinal);
        int exitCode = await DrawbridgeCli.WaitForExitAsync(connector, Limit);
        Assert.True(exitCode == 1, connector.Output);
        await DrawbridgeCli.WaitForAsync(connector, "drawbridge: error: tunnel credential refused: unknown tunnel, wrong secret, or the tunnel was deleted");
        Assert.DoesNotContain("   at ", connector.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.EnumerateFiles(cli.TunnelsDirectory).Any(), "tunnel delete leaves the saved credential behind");
        Assert.Equal("[]", (await cli.RunSucceedingAsync(["tunnel", "list", "-o", "json", .. admin])).Trim());
    }

    [Fact(Timeout = 300_000)]
    public async Task TunnelRun_WithAWrongToken_ExitsAtOnceSayingTheCredentialWasRefused()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        (_, int edgePort) = await cli.StartEdgeAsync(data);
        string[] admin = ["--admin-credential", Path.Combine(data, "admin.json")];
        await cli.RunSucceedingAsync(["tunnel", "create", "db", .. admin]);
        string oldToken = (await cli.RunSucceedingAsync(["tunnel", "token", "db", .. admin])).Trim();
        await cli.RunSucceedingAsync(["tunnel", "token", "db", "--rotate", .. admin]);

        ProcessResult run = await cli.RunAsync(
            ["tunnel", "run", "--token", oldToken, "--url", "tcp://127.0.0.1:9", "--edge", $"127.0.0.1:{edgePort}", "--ha-connections", "1"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("drawbridge: error: tunnel credential refused", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
    }

    private static async Task<(string ClientId, string ClientSecret)> CreateServiceTokenAsync(DrawbridgeCli cli, string[] admin)
    {
        using JsonDocument created = JsonDocument.Parse(await cli.RunSucceedingAsync(["service-token", "create", "ci", "-o", "json", .. admin]));
        return (created.RootElement.GetProperty("clientId").GetString()!, created.RootElement.GetProperty("clientSecret").GetString()!);
    }
}
