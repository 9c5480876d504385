using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Microsoft.Playwright;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A real OpenID Provider (panva's oidc-provider, run by <c>tests/oidc-provider/server.js</c>)
/// on http://127.0.0.1:port, with one confidential client (client_secret_basic, code flow,
/// PKCE S256 required) and the given accounts. Its sign-in page asks for an e-mail address and
/// a password (<see cref="SignInAsync"/> fills it in) and grants consent by itself.
/// </summary>
internal sealed class OidcProviderFixture : IAsyncDisposable
{
    /// <summary>The client id the edge registers as; any fixed string would do.</summary>
    public const string DefaultClientId = "drawbridge-edge";

    // Discovery answers in milliseconds once the provider listens; this bounds one probe.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    // Playwright's default (30 s) is also right for a page of the provider on a loaded CI box.
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory directory;
    private readonly ExternalProcess provider;
    private readonly HttpClient http;

    private OidcProviderFixture(
        TempDirectory directory, ExternalProcess provider, HttpClient http, int port, string clientSecret, IReadOnlyList<OidcAccount> accounts)
    {
        this.directory = directory;
        this.provider = provider;
        this.http = http;
        Port = port;
        ClientSecret = clientSecret;
        Accounts = accounts;
    }

    public int Port { get; }

    /// <summary>
    /// The issuer exactly as it appears in <c>iss</c> and discovery: <c>http://127.0.0.1:port</c>,
    /// no trailing slash (a <see cref="Uri"/> would add one).
    /// </summary>
    public string Issuer => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public Uri DiscoveryUri => new($"{Issuer}/.well-known/openid-configuration");

    public string ClientId => DefaultClientId;

    /// <summary>A fresh random secret per fixture (64 hex digits).</summary>
    public string ClientSecret { get; }

    /// <summary>This provider as the edge's <c>edge.json</c> names it: id <c>testidp</c>, shown as "Test IdP", with the groups scope.</summary>
    public Drawbridge.Edge.Identity.IdentityProviderSettings AsIdentityProvider() => new()
    {
        Id = "testidp",
        DisplayName = "Test IdP",
        Issuer = Issuer,
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        Scopes = ["openid", "email", "profile", "groups"],
    };

    public IReadOnlyList<OidcAccount> Accounts { get; }

    /// <summary>The provider's output so far (errors of every endpoint go to stderr), for failure messages.</summary>
    public string Output => provider.Output;

    /// <summary>
    /// Starts the provider with <see cref="ClientId"/> allowed to redirect to
    /// <paramref name="redirectUris"/> (none is fine: register them later with
    /// <see cref="SetRedirectUrisAsync"/>) and <paramref name="accounts"/> (default Alice and
    /// Bob), and waits until it serves its discovery document.
    /// </summary>
    public static async Task<OidcProviderFixture> StartAsync(
        IEnumerable<string>? redirectUris = null, IReadOnlyList<OidcAccount>? accounts = null)
    {
        accounts ??= [OidcAccount.Alice, OidcAccount.Bob];
        string clientSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var directory = TempDirectory.Create("drawbridge-oidc-");
        var http = new HttpClient { Timeout = ProbeTimeout };
        try
        {
            string config = directory.WriteFile(
                "provider.json", BuildConfig(DefaultClientId, clientSecret, redirectUris ?? [], accounts));
            (ExternalProcess provider, int port) = await ExternalProcess.StartListeningAsync(
                port => NodeServerScript.Start(
                    "oidc-provider", ["--config", config, "--port", port.ToString(CultureInfo.InvariantCulture)]),
                (port, cancellationToken) => ServesDiscoveryAsync(http, port, cancellationToken));
            return new OidcProviderFixture(directory, provider, http, port, clientSecret, accounts);
        }
        catch
        {
            http.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the client's redirect URIs, for an edge started after the provider (its port,
    /// and so its callback URL, known only then). Takes effect for the next request.
    /// </summary>
    public async Task SetRedirectUrisAsync(params IEnumerable<string> redirectUris)
    {
        var uri = new Uri($"{Issuer}/_test/clients/{Uri.EscapeDataString(ClientId)}/redirect_uris");
        using HttpResponseMessage response = await http.PutAsJsonAsync(uri, redirectUris.ToArray());
        if (!response.IsSuccessStatusCode)
        {
            string reason = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"The provider refused the redirect URIs: {reason}\n{Output}");
        }
    }

    /// <summary>
    /// Signs in on the provider's page that <paramref name="page"/> is on or is being
    /// redirected to: types <paramref name="account"/>'s e-mail address and
    /// <paramref name="password"/> (default: the account's own) and presses "Sign in". The
    /// provider then redirects to the client; a wrong password leaves the page on the form,
    /// showing "Invalid email or password."
    /// </summary>
    public async Task SignInAsync(IPage page, OidcAccount account, string? password = null)
    {
        await WaitForSignInPageAsync(page);
        await page.GetByLabel("Email").FillAsync(account.Email, new() { Timeout = (float)PageTimeout.TotalMilliseconds });
        await page.GetByLabel("Password").FillAsync(password ?? account.Password, new() { Timeout = (float)PageTimeout.TotalMilliseconds });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })
            .ClickAsync(new() { Timeout = (float)PageTimeout.TotalMilliseconds });
    }

    /// <summary>Presses "Cancel" on the sign-in page: the client gets <c>error=access_denied</c>.</summary>
    public async Task CancelSignInAsync(IPage page)
    {
        await WaitForSignInPageAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" })
            .ClickAsync(new() { Timeout = (float)PageTimeout.TotalMilliseconds });
    }

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        http.Dispose();
        directory.Dispose();
    }

    // Commit, not load: the form is found by Playwright's own waiting on it, so a slow sub-resource
    // (the page's favicon answers 404) never holds up the sign-in.
    private Task WaitForSignInPageAsync(IPage page) =>
        page.WaitForURLAsync(
            url => url.StartsWith($"{Issuer}/interaction/", StringComparison.Ordinal),
            new() { Timeout = (float)PageTimeout.TotalMilliseconds, WaitUntil = WaitUntilState.Commit });

    private static string BuildConfig(
        string clientId, string clientSecret, IEnumerable<string> redirectUris, IReadOnlyList<OidcAccount> accounts) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["clients"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["client_id"] = clientId,
                    ["client_secret"] = clientSecret,
                    ["redirect_uris"] = redirectUris.ToArray(),
                },
            },
            ["accounts"] = accounts.Select(account => new Dictionary<string, object>
            {
                ["sub"] = account.Subject,
                ["email"] = account.Email,
                ["email_verified"] = account.EmailVerified,
                ["name"] = account.Name,
                ["password"] = account.Password,
                ["groups"] = account.Groups,
            }).ToArray(),
        });

    // The discovery document naming this port's issuer proves our provider answers, not
    // another program that took the port first.
    private static async Task<bool> ServesDiscoveryAsync(HttpClient http, int port, CancellationToken cancellationToken)
    {
        string issuer = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            using HttpResponseMessage response = await http.GetAsync(
                new Uri($"{issuer}/.well-known/openid-configuration"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using JsonDocument discovery = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return discovery.RootElement.TryGetProperty("issuer", out JsonElement advertised)
                && advertised.GetString() == issuer;
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
