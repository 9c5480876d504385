using System.Net;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>drawbridge access login</c> as a process: the device flow (code shown, approved in a
/// "browser" after an e-mailed PIN) and the browser flow (loopback redirect with PKCE); the cached
/// token then carries <c>access tcp</c> without a service token.
/// </summary>
public sealed partial class LoginCliTests
{
    private const string Hostname = "app.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 240_000)]
    public async Task DeviceLogin_CachesATokenThatAccessTcpUses()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await StartAppAsync(echo);
        await using var cli = new DrawbridgeCli();
        using var browser = new EdgeBrowser(stack);

        ExternalProcess login = cli.Start(["access", "login", Hostname, "--no-browser", "--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath]);
        await DrawbridgeCli.WaitForAsync(login, @"enter the code:\s+[A-Z]{4}-[A-Z]{4}", timeout: Limit);
        string userCode = UserCodePattern().Match(login.Output).Groups[1].Value;
        await SignInAsync(stack, browser, "alice@example.com", "/_drawbridge/device?user_code=" + userCode.Replace("-", "", StringComparison.Ordinal));
        using (HttpResponseMessage approved = await browser.PostFormAsync("/_drawbridge/device", ("user_code", userCode), ("decision", "approve")))
        {
            Assert.Contains("Device approved", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(login, Limit));
        Assert.Contains($"signed in to {Hostname} as alice@example.com", login.Output, StringComparison.Ordinal);
        string token = (await cli.RunSucceedingAsync("access", "token", Hostname)).Trim();
        Assert.Equal(3, token.Split('.').Length);

        (_, int port) = await cli.StartAccessAsync(Hostname, ["--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath]);
        Assert.Equal("with my own name", await DrawbridgeCli.ExchangeAsync(port, "with my own name"));
        await stack.Logs.WaitForAsync(l => l.Contains($"to {Hostname} by email:alice@example.com", StringComparison.Ordinal), Limit);

        Assert.Contains("Forgot 1 token(s)", await cli.RunSucceedingAsync("access", "logout", Hostname), StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task BrowserLogin_DeliversTheCodeToTheLoopbackListenerWithPkce()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await StartAppAsync(echo);
        await using var cli = new DrawbridgeCli();
        using var browser = new EdgeBrowser(stack, followRedirects: false);

        // BROWSER=true: "opening the browser" succeeds and the test plays the browser from the printed URL.
        ExternalProcess login = cli.Start(["access", "login", Hostname, "--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath],
            new Dictionary<string, string?> { ["BROWSER"] = "true" });
        await DrawbridgeCli.WaitForAsync(login, @"If it did not open, visit:\s+\S+&state=\S+\n", timeout: Limit); // the whole line, not a partly written one
        Uri authorize = new(AuthorizeUrlPattern().Match(login.Output).Groups[1].Value);

        // The app host sends the browser to the edge's host; without a session, to sign-in; back after the PIN.
        Uri onEdge = await RedirectAsync(browser, authorize.ToString());
        Assert.Equal(DrawbridgeStack.EdgeHostname, onEdge.Host);
        Assert.StartsWith("/_drawbridge/login", (await RedirectAsync(browser, onEdge.PathAndQuery)).PathAndQuery, StringComparison.Ordinal);
        await SignInAsync(stack, browser, "alice@example.com", onEdge.PathAndQuery);
        Uri callback = await RedirectAsync(browser, onEdge.PathAndQuery);
        Assert.Equal("127.0.0.1", callback.Host);
        Assert.Contains("code=", callback.Query, StringComparison.Ordinal);
        using (var loopback = new HttpClient())
        {
            string page = await loopback.GetStringAsync(callback);
            Assert.Contains("Signed in", page, StringComparison.Ordinal);
        }

        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(login, Limit));
        Assert.Contains("signed in to app.test as alice@example.com", login.Output, StringComparison.Ordinal);

        // The code was single-use: replaying the callback's code at the token endpoint fails.
        string code = Uri.UnescapeDataString(Regex.Match(callback.Query, "code=([^&]+)").Groups[1].Value);
        var replay = await browser.PostFormForJsonAsync("/_drawbridge/cli/token", ("grant_type", "authorization_code"), ("code", code),
            ("code_verifier", new string('a', 43)), ("redirect_uri", callback.GetLeftPart(UriPartial.Path)));
        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());
    }

    private static async Task<DrawbridgeStack> StartAppAsync(EchoServer echo)
    {
        var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("web", Hostname);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        await stack.Edge.State.Store.CreateAppAsync(Hostname, TimeSpan.FromHours(8), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync(Hostname, "example staff", "allow", 1, ["email-domain:example.com"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        return stack;
    }

    /// <summary>The e-mailed PIN, read from the edge's development log, typed into the sign-in form.</summary>
    private static async Task SignInAsync(DrawbridgeStack stack, EdgeBrowser browser, string email, string returnPath)
    {
        using (HttpResponseMessage _ = await browser.PostFormAsync("/_drawbridge/login/pin", ("email", email), ("return", returnPath)))
        {
        }

        string line = await stack.Logs.WaitForAsync(l => l.Contains($"sign-in code for {email} is", StringComparison.Ordinal), Limit);
        string pin = Regex.Match(line, "is ([0-9]{6})").Groups[1].Value;
        using HttpResponseMessage verified = await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", email), ("code", pin), ("return", returnPath));
        Assert.True(verified.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.Found, verified.StatusCode.ToString());
    }

    private static async Task<Uri> RedirectAsync(EdgeBrowser browser, string pathAndQuery)
    {
        using HttpResponseMessage response = await browser.Http.GetAsync(pathAndQuery);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found, $"{pathAndQuery}: {response.StatusCode}");
        Uri location = response.Headers.Location!;
        return location.IsAbsoluteUri ? location : new Uri(browser.Http.BaseAddress!, location);
    }

    [GeneratedRegex(@"enter the code:\s+([A-Z]{4}-[A-Z]{4})")]
    private static partial Regex UserCodePattern();

    [GeneratedRegex(@"If it did not open, visit:\s+(\S+)")]
    private static partial Regex AuthorizeUrlPattern();
}
