using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// <c>drawbridge tunnel login --no-browser</c> against an <c>edge run</c> process, with the device
/// flow (RFC 8628) completed in headless Chromium: open the printed link, sign in with the e-mailed
/// PIN (shown in the edge's console, as with no SMTP server), approve the device. An administrator
/// named by <c>edge init --admin</c> gets a working admin credential; anyone else is told why and
/// gets none.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes; the end-to-end tests run on Linux
public sealed partial class AdminLoginTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task TunnelLogin_WithTheDeviceFlowInARealBrowser_SavesACredentialTheAdminCommandsUse()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        (ExternalProcess edge, int port) = await cli.StartEdgeAsync(data, initArguments: ["--admin", "alice@example.com"]);
        await using BrowserFixture browser = await BrowserFixture.StartAsync(new BrowserOptions { TrustedCaPem = File.ReadAllText(Path.Combine(data, "ca.pem")) });
        string credential = Path.Combine(cli.Scratch("alice"), "admin.json");

        ExternalProcess login = await LoginAsync(cli, edge, port, data, browser, "alice@example.com", credential);

        Assert.True(await DrawbridgeCli.WaitForExitAsync(login, Limit) == 0, login.Output);
        Assert.Contains($"Signed in to https://localhost:{port} as alice@example.com", login.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credential));
        Assert.Contains("Created tunnel db", await cli.RunSucceedingAsync("tunnel", "create", "db", "--admin-credential", credential), StringComparison.Ordinal);

        // The audit names the person, not a token.
        using JsonDocument audit = JsonDocument.Parse(await cli.RunSucceedingAsync(
            "audit", "list", "--kind", "admin", "-o", "json", "--admin-credential", Path.Combine(data, "admin.json")));
        JsonElement created = Assert.Single(audit.RootElement.EnumerateArray(),
            e => e.GetProperty("detail").GetString()!.StartsWith("POST /api/v1/tunnels", StringComparison.Ordinal));
        Assert.Equal("email:alice@example.com", created.GetProperty("actor").GetString());
    }

    [Fact(Timeout = 300_000)]
    public async Task TunnelLogin_BySomeoneWhoIsNotAnAdministrator_SaysSoAndSavesNothing()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        (ExternalProcess edge, int port) = await cli.StartEdgeAsync(data, initArguments: ["--admin", "alice@example.com"]);
        await using BrowserFixture browser = await BrowserFixture.StartAsync(new BrowserOptions { TrustedCaPem = File.ReadAllText(Path.Combine(data, "ca.pem")) });
        string credential = Path.Combine(cli.Scratch("bob"), "admin.json");

        ExternalProcess login = await LoginAsync(cli, edge, port, data, browser, "bob@example.com", credential);

        Assert.Equal(1, await DrawbridgeCli.WaitForExitAsync(login, Limit));
        Assert.Contains("bob@example.com is not an administrator of this edge", login.Output, StringComparison.Ordinal);
        Assert.Contains("drawbridge policy add localhost --action allow --include email:bob@example.com", login.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(credential));
    }

    private static async Task<ExternalProcess> LoginAsync(DrawbridgeCli cli, ExternalProcess edge, int port, string data, BrowserFixture browser, string email, string credential)
    {
        ExternalProcess login = cli.Start(["tunnel", "login", "--edge", $"https://localhost:{port}", "--ca-cert", Path.Combine(data, "ca.pem"),
            "--no-browser", "--admin-credential", credential]);
        await DrawbridgeCli.WaitForAsync(login, @"\(or open \S+\)", timeout: Limit);
        string link = DeviceLink().Match(login.Output).Groups[1].Value;

        IPage page = await browser.NewPageAsync();
        try
        {
            // Not signed in: the device link leads to the sign-in page, which comes back to it after the PIN.
            await page.GotoAsync(link);
            await page.GetByLabel("E-mail address").FillAsync(email);
            int before = Regex.Count(edge.Output, $"sign-in code for {Regex.Escape(email)} is");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
            await edge.WaitForOutputAsync(o => Regex.Count(o, $"sign-in code for {Regex.Escape(email)} is") > before, Limit);
            string pin = Regex.Matches(edge.Output, $"sign-in code for {Regex.Escape(email)} is ([0-9]{{6}})")[^1].Groups[1].Value;
            await page.GetByLabel("Code").FillAsync(pin);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

            await page.GetByText($"on the device showing").WaitForAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await page.GetByText("Done: go back to your terminal.").WaitForAsync();
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nthe page was at {page.Url}\n--- CLI ---\n{login.Output}\n--- browser ---\n{browser.Output}", ex);
        }

        return login;
    }

    [GeneratedRegex(@"\(or open (\S+)\)")]
    private static partial Regex DeviceLink();
}
