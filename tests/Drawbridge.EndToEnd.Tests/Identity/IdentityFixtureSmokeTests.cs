using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using MimeKit;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// The identity fixtures (a real OpenID Provider, a real browser, a real SMTP server) work on
/// their own, with no Drawbridge in between, so a sign-in test failing points at Drawbridge.
/// </summary>
public sealed class IdentityFixtureSmokeTests
{
    // One step: a page load, a redirect, a token request, a message arriving.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 60_000)]
    public async Task OidcProvider_DiscoveryAdvertisesCodeFlowWithS256()
    {
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync(["http://127.0.0.1:9/callback"]);
        using var http = new HttpClient { Timeout = StepTimeout };

        using JsonDocument discovery = JsonDocument.Parse(await http.GetStringAsync(provider.DiscoveryUri));

        JsonElement root = discovery.RootElement;
        Assert.Equal(provider.Issuer, root.GetProperty("issuer").GetString());
        foreach (string endpoint in new[] { "authorization_endpoint", "token_endpoint", "jwks_uri" })
        {
            Assert.StartsWith(provider.Issuer + "/", root.GetProperty(endpoint).GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("S256", Strings(root.GetProperty("code_challenge_methods_supported")));
        Assert.Equal(["code"], Strings(root.GetProperty("response_types_supported")));
        Assert.Contains("groups", Strings(root.GetProperty("scopes_supported")));
        Assert.Contains("groups", Strings(root.GetProperty("claims_supported")));
    }

    [Fact(Timeout = 120_000)]
    public async Task OidcProvider_SignsAliceInThroughChromium_CodeWithPkceYieldsHerEmailAndGroups()
    {
        await using OAuthCallbackListener callback = await OAuthCallbackListener.StartAsync();
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync([callback.RedirectUri.ToString()]);
        await using BrowserFixture browser = await BrowserFixture.StartAsync();
        using var http = new HttpClient { Timeout = StepTimeout };
        (string authorizationEndpoint, string tokenEndpoint) = await GetEndpointsAsync(http, provider);
        string verifier = RandomToken();
        string state = RandomToken();
        string nonce = RandomToken();
        IPage page = await browser.NewPageAsync();

        await page.GotoAsync(AuthorizeUrl(authorizationEndpoint, provider, callback.RedirectUri, state, nonce, verifier));
        await provider.SignInAsync(page, OidcAccount.Alice);
        IReadOnlyDictionary<string, string> query = await WaitForCallbackAsync(callback, provider, browser);

        Assert.False(query.ContainsKey("error"), $"{string.Join('&', query)}\n{provider.Output}\n{browser.Output}");
        Assert.Equal(state, query["state"]);
        Assert.Equal(provider.Issuer, query["iss"]);
        using JsonDocument tokens = await RedeemCodeAsync(http, tokenEndpoint, provider, query["code"], callback.RedirectUri, verifier);
        using JsonDocument idToken = DecodeJwtPayload(tokens.RootElement.GetProperty("id_token").GetString()!);
        JsonElement claims = idToken.RootElement;
        Assert.Equal(provider.Issuer, claims.GetProperty("iss").GetString());
        Assert.Equal(provider.ClientId, claims.GetProperty("aud").GetString());
        Assert.Equal(nonce, claims.GetProperty("nonce").GetString());
        Assert.Equal(OidcAccount.Alice.Subject, claims.GetProperty("sub").GetString());
        Assert.Equal("alice@example.com", claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("email_verified").GetBoolean());
        Assert.Equal(["eng"], Strings(claims.GetProperty("groups")));
        await page.GetByText("Callback received").WaitForAsync(new() { Timeout = (float)StepTimeout.TotalMilliseconds });
    }

    [Fact(Timeout = 120_000)]
    public async Task OidcProvider_KeepsAWrongPasswordOnTheForm_AndCancelReturnsAccessDenied()
    {
        await using OAuthCallbackListener callback = await OAuthCallbackListener.StartAsync();
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync([callback.RedirectUri.ToString()]);
        await using BrowserFixture browser = await BrowserFixture.StartAsync();
        using var http = new HttpClient { Timeout = StepTimeout };
        (string authorizationEndpoint, _) = await GetEndpointsAsync(http, provider);
        string state = RandomToken();
        IPage page = await browser.NewPageAsync();
        await page.GotoAsync(AuthorizeUrl(authorizationEndpoint, provider, callback.RedirectUri, state, RandomToken(), RandomToken()));

        await provider.SignInAsync(page, OidcAccount.Bob, password: "not-bobs-password");
        await page.GetByText("Invalid email or password.").WaitForAsync(new() { Timeout = (float)StepTimeout.TotalMilliseconds });
        Assert.False(callback.WasCalled, browser.Output);
        await provider.CancelSignInAsync(page);
        IReadOnlyDictionary<string, string> query = await WaitForCallbackAsync(callback, provider, browser);

        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(state, query["state"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact(Timeout = 60_000)]
    public async Task OidcProvider_AcceptsARedirectUriRegisteredAfterStart()
    {
        // An edge started after the provider, its callback known only then.
        const string EdgeCallback = "https://edge.test:4430/_drawbridge/auth/callback";
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = StepTimeout };
        (string authorizationEndpoint, _) = await GetEndpointsAsync(http, provider);
        var authorize = new Uri(AuthorizeUrl(authorizationEndpoint, provider, new Uri(EdgeCallback), RandomToken(), RandomToken(), RandomToken()));

        using (HttpResponseMessage before = await http.GetAsync(authorize))
        {
            // The provider shows its error page itself: it never redirects to an unregistered URI.
            Assert.True(before.StatusCode == HttpStatusCode.BadRequest, $"{before.StatusCode}\n{provider.Output}");
        }

        await provider.SetRedirectUrisAsync(EdgeCallback);

        using HttpResponseMessage after = await http.GetAsync(authorize);
        Assert.True(after.StatusCode == HttpStatusCode.SeeOther, $"{after.StatusCode}\n{provider.Output}");
        Assert.NotNull(after.Headers.Location);
        Assert.StartsWith(
            $"{provider.Issuer}/interaction/", new Uri(authorize, after.Headers.Location).ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task SmtpServer_HandsOverTheDecodedMessageMailKitSent()
    {
        await using SmtpServerFixture smtp = await SmtpServerFixture.StartAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        // Non-ASCII text makes MimeKit use an encoded-word subject and a transfer-encoded body,
        // so equal strings prove the fixture decodes them.
        var message = new MimeMessage
        {
            Subject = "Your Drawbridge sign-in code: 417 302 – gültig 10 Minuten",
            Body = new TextPart("plain") { Text = "Your code is 417302.\nIt expires in 10 minutes. Grüße\n" },
        };
        message.From.Add(new MailboxAddress("Drawbridge", "noreply@drawbridge.test"));
        message.To.Add(new MailboxAddress("Alice", "alice@example.com"));

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, SecureSocketOptions.None, timeout.Token);
            await client.AuthenticateAsync("drawbridge", "smtp-password", timeout.Token);
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
        }

        ReceivedMail mail = await smtp.WaitForMessageAsync(received => received.To.Contains("alice@example.com"), StepTimeout);
        Assert.Equal("noreply@drawbridge.test", mail.From);
        Assert.Equal("noreply@drawbridge.test", mail.EnvelopeFrom);
        Assert.Equal(["alice@example.com"], mail.EnvelopeTo);
        Assert.Equal("Your Drawbridge sign-in code: 417 302 – gültig 10 Minuten", mail.Subject);
        Assert.Equal("Your code is 417302.\nIt expires in 10 minutes. Grüße\n", mail.Body.ReplaceLineEndings("\n"));
        Assert.Equal("drawbridge", mail.AuthenticatedUser);
        Assert.Single(smtp.ReceivedMessages);
    }

    [Fact(Timeout = 120_000)]
    public async Task Browser_LoadsAnHttpsPageSignedByTheTrustedCa()
    {
        using var authority = TestCertificateAuthority.Create();
        using X509Certificate2 certificate = authority.IssueServerCertificate("app.drawbridge.test");
        (WebApplication server, int port) = await StartHttpsPageAsync(certificate);
        await using WebApplication _ = server;
        await using BrowserFixture browser = await BrowserFixture.StartAsync(
            new BrowserOptions { TrustedCaPem = authority.CertificatePem, LoopbackHostnames = ["drawbridge.test"] });
        IPage page = await browser.NewPageAsync();

        IResponse? response = await page.GotoAsync($"https://app.drawbridge.test:{port}/", new() { Timeout = (float)StepTimeout.TotalMilliseconds });

        Assert.True(response is { Status: 200 }, browser.Output);
        Assert.Equal("Drawbridge HTTPS smoke test", await page.TitleAsync());
        Assert.Equal("Drawbridge smoke-test CA", (await response.SecurityDetailsAsync())?.Issuer);
    }

    [Fact(Timeout = 120_000)]
    public async Task Browser_RefusesAnUntrustedCertificate_UnlessTheContextIgnoresHttpsErrors()
    {
        using X509Certificate2 certificate = TestCertificateAuthority.CreateSelfSigned("app.drawbridge.test");
        (WebApplication server, int port) = await StartHttpsPageAsync(certificate);
        await using WebApplication _ = server;
        await using BrowserFixture browser = await BrowserFixture.StartAsync(new BrowserOptions { LoopbackHostnames = ["drawbridge.test"] });
        string url = $"https://app.drawbridge.test:{port}/";
        IPage strict = await browser.NewPageAsync();

        PlaywrightException refused = await Assert.ThrowsAsync<PlaywrightException>(
            () => strict.GotoAsync(url, new() { Timeout = (float)StepTimeout.TotalMilliseconds }));
        Assert.Contains("ERR_CERT_AUTHORITY_INVALID", refused.Message, StringComparison.Ordinal);

        IBrowserContext lenient = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        IPage page = await lenient.NewPageAsync();
        IResponse? response = await page.GotoAsync(url, new() { Timeout = (float)StepTimeout.TotalMilliseconds });
        Assert.True(response is { Status: 200 }, browser.Output);
        Assert.Equal("Drawbridge HTTPS smoke test", await page.TitleAsync());
    }

    private static string AuthorizeUrl(
        string authorizationEndpoint, OidcProviderFixture provider, Uri redirectUri, string state, string nonce, string verifier)
    {
        string challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var parameters = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = provider.ClientId,
            ["redirect_uri"] = redirectUri.ToString(),
            ["scope"] = "openid email profile groups",
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        return authorizationEndpoint + "?" + string.Join('&', parameters.Select(
            pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}"));
    }

    private static async Task<(string Authorization, string Token)> GetEndpointsAsync(HttpClient http, OidcProviderFixture provider)
    {
        using JsonDocument discovery = JsonDocument.Parse(await http.GetStringAsync(provider.DiscoveryUri));
        return (discovery.RootElement.GetProperty("authorization_endpoint").GetString()!,
            discovery.RootElement.GetProperty("token_endpoint").GetString()!);
    }

    private static async Task<IReadOnlyDictionary<string, string>> WaitForCallbackAsync(
        OAuthCallbackListener callback, OidcProviderFixture provider, BrowserFixture browser)
    {
        try
        {
            return await callback.WaitForCallbackAsync(StepTimeout);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"No callback within {StepTimeout}.\n{provider.Output}\n{browser.Output}", exception);
        }
    }

    // RFC 6749 section 4.1.3 with client_secret_basic (section 2.3.1) and RFC 7636's code_verifier.
    private static async Task<JsonDocument> RedeemCodeAsync(
        HttpClient http, string tokenEndpoint, OidcProviderFixture provider, string code, Uri redirectUri, string verifier)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirectUri.ToString(),
                ["code_verifier"] = verifier,
            }),
        };
        string credentials = $"{Uri.EscapeDataString(provider.ClientId)}:{Uri.EscapeDataString(provider.ClientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using HttpResponseMessage response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {body}\n{provider.Output}");
        return JsonDocument.Parse(body);
    }

    // The smoke test only reads the claims; the edge verifies signatures against jwks_uri.
    private static JsonDocument DecodeJwtPayload(string jwt) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]));

    private static async Task<(WebApplication Server, int Port)> StartHttpsPageAsync(X509Certificate2 certificate)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        WebApplication server = builder.Build();
        server.MapGet("/", () => Results.Content(
            "<!DOCTYPE html><html lang=\"en\"><head><title>Drawbridge HTTPS smoke test</title></head><body>ok</body></html>",
            "text/html; charset=utf-8"));
        await server.StartAsync();
        string address = server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (server, new Uri(address).Port);
    }

    private static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(element => element.GetString()!)];
}
