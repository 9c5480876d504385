using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.EndToEnd.Tests.Identity;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// The admin commands (<c>tunnel create|route|list|info|token</c>, <c>service-token create|list</c>, and every list and show with <c>-o json</c>)
/// as processes against an <c>edge run</c> process, and the errors a user can cause.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes; the end-to-end tests run on Linux
public sealed partial class AdminCliTests
{
    [Fact(Timeout = 300_000)]
    public async Task TunnelAndServiceTokenCommands_ManageTheEdgeAndSaveOwnerOnlyCredentials()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.StartEdgeAsync(data);
        string[] admin = ["--admin-credential", Path.Combine(data, "admin.json")];

        // create: the edge keeps a hash; the CLI saves the credential, owner-only.
        string created = await cli.RunSucceedingAsync(["tunnel", "create", "db", .. admin]);
        string id = CreatedTunnelId().Match(created).Groups[1].Value;
        string credentialFile = Path.Combine(cli.TunnelsDirectory, $"{id}.json");
        Assert.Contains($"Credentials written to {credentialFile}", created, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentialFile));

        Assert.Contains("Routed db.test to tunnel db", await cli.RunSucceedingAsync(["tunnel", "route", "dns", "db", "db.test", .. admin]), StringComparison.Ordinal);

        string table = await cli.RunSucceedingAsync(["tunnel", "list", .. admin]);
        Assert.Matches($@"(?m)^{id}  db\s+0  db\.test$", table);

        using (JsonDocument list = JsonDocument.Parse(await cli.RunSucceedingAsync(["tunnel", "list", "-o", "json", .. admin])))
        {
            JsonElement tunnel = Assert.Single(list.RootElement.EnumerateArray());
            Assert.Equal(Guid.Parse(id), tunnel.GetProperty("id").GetGuid());
            Assert.Equal("db", tunnel.GetProperty("name").GetString());
            Assert.Equal(["db.test"], tunnel.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(0, tunnel.GetProperty("links").GetArrayLength());
        }

        string info = await cli.RunSucceedingAsync(["tunnel", "info", "db", .. admin]);
        Assert.Contains($"Tunnel db ({id})", info, StringComparison.Ordinal);
        Assert.Contains("Routes: db.test", info, StringComparison.Ordinal);
        Assert.Contains("Links: 0", info, StringComparison.Ordinal);

        string token = (await cli.RunSucceedingAsync(["tunnel", "token", "db", .. admin])).Trim();
        Assert.Matches("^[A-Za-z0-9_=-]{40,}$", token);
        Assert.Equal(token, (await cli.RunSucceedingAsync(["tunnel", "token", id, .. admin])).Trim());

        using (JsonDocument serviceToken = JsonDocument.Parse(await cli.RunSucceedingAsync(["service-token", "create", "ci", "-o", "json", .. admin])))
        {
            string clientId = serviceToken.RootElement.GetProperty("clientId").GetString()!;
            Assert.Matches("^[0-9a-f]{64}$", serviceToken.RootElement.GetProperty("clientSecret").GetString()!);
            string tokens = await cli.RunSucceedingAsync(["service-token", "list", .. admin]);
            Assert.Matches($@"(?m)^ci\s+{Regex.Escape(clientId)}\s+\S+ \S+\s+active$", tokens);
            Assert.DoesNotContain(serviceToken.RootElement.GetProperty("clientSecret").GetString()!, tokens, StringComparison.Ordinal);
        }
    }

    /// <summary>Every list and show command's <c>-o json</c> is the admin API's answer: the properties docs/admin-api.openapi.json gives it.</summary>
    [Fact(Timeout = 300_000)]
    public async Task ListAndShowCommands_WithOutputJson_PrintTheApisShape()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.StartEdgeAsync(data);
        string[] admin = ["--admin-credential", Path.Combine(data, "admin.json")];
        await cli.RunSucceedingAsync(["tunnel", "create", "db", .. admin]);
        await cli.RunSucceedingAsync(["tunnel", "route", "dns", "db", "db.test", .. admin]);
        await cli.RunSucceedingAsync(["service-token", "create", "ci", .. admin]);
        await cli.RunSucceedingAsync(["app", "create", "db.test", .. admin]);
        await cli.RunSucceedingAsync(["policy", "add", "db.test", "--action", "allow", "--include", "email-domain:example.com", .. admin]);
        using JsonDocument openApi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(NodeServerScript.RepositoryRoot, "docs", "admin-api.openapi.json")));
        JsonElement schemas = openApi.RootElement.GetProperty("components").GetProperty("schemas");

        (string[] Command, string Schema, bool List)[] commands =
        [
            (["tunnel", "list"], "TunnelView", true),
            (["tunnel", "info", "db"], "TunnelView", false),
            (["service-token", "list"], "ServiceTokenView", true),
            (["app", "list"], "AppView", true),
            (["app", "info", "db.test"], "AppView", false),
            (["policy", "list", "db.test"], "PolicyView", true),
            (["policy", "test", "db.test", "--email", "alice@example.com"], "PolicyTestResult", false),
            (["session", "list", "--all"], "SessionView", true),
            (["audit", "list", "--kind", "admin"], "AuditView", true),
        ];
        foreach (var (command, schema, list) in commands)
        {
            using JsonDocument output = JsonDocument.Parse(await cli.RunSucceedingAsync([.. command, "-o", "json", .. admin]));
            JsonElement root = output.RootElement;
            Assert.Equal(list ? JsonValueKind.Array : JsonValueKind.Object, root.ValueKind);
            string[] expected = [.. schemas.GetProperty(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name)];
            foreach (JsonElement item in list ? [.. root.EnumerateArray()] : new[] { root })
            {
                Assert.Equal(expected, item.EnumerateObject().Select(p => p.Name));
            }
        }

        using (JsonDocument app = JsonDocument.Parse(await cli.RunSucceedingAsync(["app", "info", "db.test", "-o", "json", .. admin])))
        {
            Assert.Equal("allow", Assert.Single(app.RootElement.GetProperty("policies").EnumerateArray()).GetProperty("action").GetString());
        }

        Assert.Contains("db.test  (sessions 1d, 1 policies)", await cli.RunSucceedingAsync(["app", "info", "db.test", .. admin]), StringComparison.Ordinal);
        await AssertFailsAsync(cli, ["app", "info", "nosuch.test", .. admin], "drawbridge: error: no application for 'nosuch.test'");
    }

    [Fact(Timeout = 120_000)]
    public async Task AdminCommand_WithoutAnAdminCredential_NamesTheFileItLookedFor()
    {
        await using var cli = new DrawbridgeCli();
        string missing = Path.Combine(cli.Scratch("nowhere"), "admin.json");

        ProcessResult flagged = await cli.RunAsync(["tunnel", "list", "--admin-credential", missing]);
        ProcessResult defaulted = await cli.RunAsync(["service-token", "list"]);

        Assert.True(flagged.ExitCode == 1, flagged.ToString());
        Assert.Contains($"drawbridge: error: no admin credential at {missing}: run `drawbridge tunnel login --edge URL`", flagged.StandardError, StringComparison.Ordinal);
        Assert.True(defaulted.ExitCode == 1, defaulted.ToString());
        Assert.Contains($"no admin credential at {cli.ConfigDirectory}/admin.json", defaulted.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", flagged.StandardError + defaulted.StandardError, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task AdminCommands_RefuseBadInputWithTheEdgesMessage()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.StartEdgeAsync(data);
        string[] admin = ["--admin-credential", Path.Combine(data, "admin.json")];

        await AssertFailsAsync(cli, ["tunnel", "route", "dns", "nosuch", "db.test", .. admin],
            "drawbridge: error: no tunnel named 'nosuch': `drawbridge tunnel list` shows them");
        await AssertFailsAsync(cli, ["tunnel", "create", "", .. admin],
            "drawbridge: error: name: is empty");
        await AssertFailsAsync(cli, ["tunnel", "create", new string('x', 101), .. admin],
            "drawbridge: error: name: is 101 characters long: at most 100");
        await AssertFailsAsync(cli, ["tunnel", "list", "-o", "yaml", .. admin],
            "drawbridge: error: --output 'yaml': use table or json");
        await AssertFailsAsync(cli, ["service-token", "create", "ci", "-o", "yaml", .. admin],
            "drawbridge: error: --output 'yaml': use table or json");

        // Nothing of the refused commands reached the store.
        Assert.Equal("[]", (await cli.RunSucceedingAsync(["tunnel", "list", "-o", "json", .. admin])).Trim());
        Assert.Equal("[]", (await cli.RunSucceedingAsync(["service-token", "list", "-o", "json", .. admin])).Trim());
        Assert.False(Directory.Exists(cli.TunnelsDirectory) && Directory.EnumerateFiles(cli.TunnelsDirectory).Any());
    }

    private static async Task AssertFailsAsync(DrawbridgeCli cli, string[] arguments, string message)
    {
        ProcessResult result = await cli.RunAsync(arguments);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [GeneratedRegex("Created tunnel db with id ([0-9a-f]{32})")]
    private static partial Regex CreatedTunnelId();
}
