using System.Text.RegularExpressions;
using Drawbridge.Edge.Identity;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// The seed's user story with every real component: <c>drawbridge access login</c> opens the edge in
/// Chromium, the user picks the OpenID provider (a real oidc-provider), signs in there, comes back
/// through the edge to the CLI's loopback listener, and the cached token then carries a connection
/// through the tunnel — for a member of the group the policy names, and not for anyone else.
/// </summary>
public sealed partial class BrowserSignInTests
{
    private const string Hostname = "app.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task AccessLogin_ThroughARealProviderInARealBrowser_ThenAConnectionSucceeds()
    {
        await using var echo = EchoServer.Start();
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync();
        await using DrawbridgeStack stack = await StartStackAsync(provider, echo);
        await using var cli = new DrawbridgeCli();
        await using BrowserFixture browser = await BrowserFixture.StartAsync(new BrowserOptions
        {
            TrustedCaPem = stack.CaPem,
            LoopbackHostnames = [Hostname, DrawbridgeStack.EdgeHostname],
        });

        string signedIn = await LoginAsync(cli, stack, provider, browser, OidcAccount.Alice);

        Assert.Contains("signed in to app.test as alice@example.com", signedIn, StringComparison.Ordinal);
        (_, int port) = await cli.StartAccessAsync(Hostname, ["--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath]);
        Assert.Equal("through sso", await DrawbridgeCli.ExchangeAsync(port, "through sso"));
        string line = await stack.Logs.WaitForAsync(l => l.Contains($"to {Hostname} by email:alice@example.com", StringComparison.Ordinal), Limit);
        Assert.Contains(": closed after", line, StringComparison.Ordinal);
        await stack.Logs.WaitForAsync(l => l.Contains("Sign-in by alice@example.com with testidp", StringComparison.Ordinal), Limit);
    }

    [Fact(Timeout = 300_000)]
    public async Task AccessLogin_ForSomeoneOutsideTheGroup_EndsDeniedByPolicy()
    {
        await using var echo = EchoServer.Start();
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync();
        await using DrawbridgeStack stack = await StartStackAsync(provider, echo);
        await using var cli = new DrawbridgeCli();
        await using BrowserFixture browser = await BrowserFixture.StartAsync(new BrowserOptions
        {
            TrustedCaPem = stack.CaPem,
            LoopbackHostnames = [Hostname, DrawbridgeStack.EdgeHostname],
        });

        ExternalProcess login = cli.Start(["access", "login", Hostname, "--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath],
            new Dictionary<string, string?> { ["BROWSER"] = "true" });
        await SignInInBrowserAsync(login, provider, browser, OidcAccount.Bob);

        Assert.Equal(1, await DrawbridgeCli.WaitForExitAsync(login, Limit));
        Assert.Contains("access_denied", login.Output, StringComparison.Ordinal);
        Assert.Contains("no policy of app app.test admits bob@example.com", login.Output, StringComparison.Ordinal);
    }

    private static async Task<DrawbridgeStack> StartStackAsync(OidcProviderFixture provider, EchoServer echo)
    {
        DrawbridgeStack stack = await DrawbridgeStack.StartAsync(configure: settings => settings with
        {
            IdentityProviders = [provider.AsIdentityProvider()],
        });
        await provider.SetRedirectUrisAsync(stack.Edge.Runtime.Settings.PublicUrl + SignInEndpoints.CallbackPath);
        var tunnel = await stack.CreateTunnelAsync("web", Hostname);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        await stack.Edge.State.Store.CreateAppAsync(Hostname, TimeSpan.FromHours(8), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync(Hostname, "engineers", "allow", 1, ["group:eng"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        return stack;
    }

    private static async Task<string> LoginAsync(DrawbridgeCli cli, DrawbridgeStack stack, OidcProviderFixture provider, BrowserFixture browser, OidcAccount account)
    {
        // BROWSER=true: the CLI's "open the browser" succeeds; Playwright's Chromium plays the browser at the printed URL.
        ExternalProcess login = cli.Start(["access", "login", Hostname, "--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath],
            new Dictionary<string, string?> { ["BROWSER"] = "true" });
        await SignInInBrowserAsync(login, provider, browser, account);
        Assert.True(await DrawbridgeCli.WaitForExitAsync(login, Limit) == 0, login.Output + "\n" + browser.Output);
        return login.Output;
    }

    private static async Task SignInInBrowserAsync(ExternalProcess login, OidcProviderFixture provider, BrowserFixture browser, OidcAccount account)
    {
        await DrawbridgeCli.WaitForAsync(login, @"If it did not open, visit:\s+\S+&state=\S+\n", timeout: Limit);
        string url = AuthorizeUrl().Match(login.Output).Groups[1].Value;
        IPage page = await browser.NewPageAsync();
        try
        {
            await page.GotoAsync(url);
            await page.GetByText("Sign in with Test IdP").ClickAsync();
            await provider.SignInAsync(page, account);
            // Commit, not load: the CLI answers the callback and exits, so later requests of the page may find no one.
            await page.WaitForURLAsync(new Regex(@"^http://127\.0\.0\.1:\d+/callback"), new() { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nthe page was at {page.Url}\n--- CLI ---\n{login.Output}\n--- browser ---\n{browser.Output}\n--- provider ---\n{provider.Output}", ex);
        }
    }

    [GeneratedRegex(@"If it did not open, visit:\s+(\S+)")]
    private static partial Regex AuthorizeUrl();
}
