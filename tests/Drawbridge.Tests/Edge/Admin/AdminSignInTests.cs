using System.Net;
using System.Text.Json;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>
/// Administrators signed in with <c>drawbridge tunnel login</c>: an app token for the admin
/// application (the edge's own hostname) works on the admin API while that application's policy
/// allows the person, judged on every request (issue 3 items 3, 4 and 6).
/// </summary>
public sealed class AdminSignInTests : IAsyncLifetime
{
    private const string AdminApp = "localhost";
    private AdminEdge _edge = null!;

    public async Task InitializeAsync() => _edge = await AdminEdge.StartAsync(["alice@example.com", "group:ops"]);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task EdgeInit_BootstrapsTheAdminApplicationWithTheAdministratorsPolicy()
    {
        JsonElement app = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"apps/{AdminApp}");

        JsonElement policy = Assert.Single(app.GetProperty("policies").EnumerateArray());
        Assert.Equal(EdgeInitializer.AdministratorsPolicy, policy.GetProperty("name").GetString());
        Assert.Equal("allow", policy.GetProperty("action").GetString());
        Assert.Equal(["email:alice@example.com", "group:ops"], policy.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task AnAdministratorsAppToken_WorksOnTheAdminApi_AndTheAuditNamesThem()
    {
        using HttpClient alice = await SignedInAsync("alice@example.com", []);

        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "tunnels", """{"name":"by-alice"}""", alice);
        using HttpClient bob = await SignedInAsync("bob@example.com", ["ops"]);
        await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels", client: bob);

        JsonElement audit = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "audit?kind=admin");
        JsonElement created = Assert.Single(audit.EnumerateArray(), e => e.GetProperty("detail").GetString()!.StartsWith("POST /api/v1/tunnels", StringComparison.Ordinal));
        Assert.Equal("email:alice@example.com", created.GetProperty("actor").GetString());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task SomeoneThePolicyDoesNotName_Gets403NamingTheCommandThatWouldAddThem_AndChangesNothing()
    {
        using HttpClient mallory = await SignedInAsync("mallory@example.com", ["dev"]);
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.Forbidden, HttpMethod.Post, "tunnels", """{"name":"by-mallory"}""", mallory);

        Assert.Contains("mallory@example.com is not an administrator", error, StringComparison.Ordinal);
        Assert.Contains($"drawbridge policy add {AdminApp} --action allow --include email:mallory@example.com", error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task ATokenForAnotherApp_IsNotAnAdminCredential()
    {
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps", """{"hostname":"db.example.com"}""");
        UserSession session = await _edge.CreateSessionAsync("alice@example.com", []);
        string token = _edge.Host.Tokens.Issue(session, "db.example.com", TimeSpan.FromHours(1)).Token;
        using HttpClient client = _edge.NewClient("Bearer " + token);

        string error = await _edge.ErrorAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "tunnels", client: client);

        Assert.Contains("drawbridge tunnel login", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task RevokingTheAdministratorsSession_EndsTheirAdminAccessAtOnce()
    {
        using HttpClient alice = await SignedInAsync("alice@example.com", []);
        await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels", client: alice);

        await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "sessions/revoke", """{"email":"alice@example.com"}""");

        string error = await _edge.ErrorAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "tunnels", client: alice);
        Assert.Contains("your admin session was revoked", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task RemovingThePolicy_EndsAdminAccessAtOnce_ButTheBootstrapTokenStillWorks()
    {
        using HttpClient alice = await SignedInAsync("alice@example.com", []);
        JsonElement app = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"apps/{AdminApp}");
        string policyId = app.GetProperty("policies")[0].GetProperty("id").GetString()!;

        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"policies/{policyId}");

        await _edge.ErrorAsync(HttpStatusCode.Forbidden, HttpMethod.Get, "tunnels", client: alice);
        await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels");
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task AdminChanges_RecordWhatWasBeforeAndWhatIsAfter_ButNoSecret()
    {
        JsonElement created = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "service-tokens", """{"name":"ci"}""");
        JsonElement policy = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"apps/{AdminApp}/policies",
            """{"name":"contractors","action":"deny","include":["email-domain:contractor.example"],"precedence":50}""");
        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"policies/{policy.GetProperty("id").GetString()}");

        JsonElement[] audit = [.. (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "audit?kind=admin")).EnumerateArray()];
        string tokenCreation = Detail(audit, "POST /api/v1/service-tokens");
        Assert.Contains("\"before\":null", tokenCreation, StringComparison.Ordinal);
        Assert.Contains(created.GetProperty("clientId").GetString()!, tokenCreation, StringComparison.Ordinal);
        Assert.DoesNotContain(created.GetProperty("clientSecret").GetString()!, tokenCreation, StringComparison.Ordinal);

        string deletion = Detail(audit, "DELETE /api/v1/policies/");
        Assert.Contains("\"before\":{", deletion, StringComparison.Ordinal);
        Assert.Contains("email-domain:contractor.example", deletion, StringComparison.Ordinal);
        Assert.EndsWith("\"after\":null}", deletion, StringComparison.Ordinal);
    }

    private static string Detail(JsonElement[] audit, string action) =>
        Assert.Single(audit, e => e.GetProperty("detail").GetString()!.StartsWith(action, StringComparison.Ordinal)).GetProperty("detail").GetString()!;

    private async Task<HttpClient> SignedInAsync(string email, IReadOnlyList<string> groups)
    {
        UserSession session = await _edge.CreateSessionAsync(email, groups);
        string token = _edge.Host.Tokens.Issue(session, AdminApp, TimeSpan.FromHours(1)).Token;
        return _edge.NewClient("Bearer " + token);
    }
}
