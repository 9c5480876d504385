using System.Net;
using System.Text.Json;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>Apps, policies, policy-test, sessions, sessions/revoke and audit over real HTTPS: what each answers, and what each refuses.</summary>
public sealed class AdminApiAccessTests : IAsyncLifetime
{
    private AdminEdge _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await AdminEdge.StartAsync();
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps", """{"hostname":"db.example.com"}""");
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task CreateApp_DefaultsToADayOfSessions_AndGetListAndDeleteFindIt()
    {
        JsonElement created = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps", """{"hostname":"SSH.Example.com","sessionDuration":"8h"}""");
        Assert.Equal(["hostname", "sessionDuration", "createdAt", "policies"], created.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("ssh.example.com", "8h"), (created.GetProperty("hostname").GetString(), created.GetProperty("sessionDuration").GetString()));

        JsonElement db = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "apps/db.example.com");
        Assert.Equal("1d", db.GetProperty("sessionDuration").GetString());
        JsonElement list = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "apps");
        Assert.Equal(["db.example.com", "localhost", "ssh.example.com"], list.EnumerateArray().Select(a => a.GetProperty("hostname").GetString()).Order(StringComparer.Ordinal));

        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "apps/ssh.example.com");
        Assert.Equal("no application for 'ssh.example.com': create it with `drawbridge app create ssh.example.com`",
            await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Get, "apps/ssh.example.com"));
        await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, "apps/ssh.example.com");
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("""{"hostname":"db.example.com"}""", HttpStatusCode.Conflict, "")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "hostname: is required")]
    [InlineData("""{"hostname":"x'; DROP TABLE apps; --"}""", HttpStatusCode.BadRequest, "hostname: ")]
    [InlineData("""{"hostname":"a.example.com","sessionDuration":"forever"}""", HttpStatusCode.BadRequest, "sessionDuration: 'forever' is not a duration")]
    [InlineData("""{"hostname":"a.example.com","sessionDuration":"31d"}""", HttpStatusCode.BadRequest, "sessionDuration: ")]
    [InlineData("""{"hostname":"a.example.com","sessionDuration":"0s"}""", HttpStatusCode.BadRequest, "sessionDuration: ")]
    public async Task CreateApp_Refusals_SayWhy_AndChangeNothing(string body, HttpStatusCode status, string expected)
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(status, HttpMethod.Post, "apps", body);

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task AddPolicy_Returns201_InPrecedenceOrder_AndPolicyTestNamesTheDecidingPolicy()
    {
        JsonElement allow = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps/db.example.com/policies",
            """{"name":"ops","action":"allow","precedence":10,"include":["group:ops"],"exclude":["email:eve@example.com"]}""");
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps/db.example.com/policies",
            """{"name":"block-eve","action":"deny","precedence":5,"include":["email:eve@example.com"]}""");

        Assert.Equal(["id", "app", "name", "action", "precedence", "include", "require", "exclude"], allow.EnumerateObject().Select(p => p.Name));
        Assert.Equal(10, allow.GetProperty("precedence").GetInt32());
        Assert.Equal(11, (await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps/db.example.com/policies",
            """{"name":"last","action":"deny","include":["everyone"]}""")).GetProperty("precedence").GetInt32());
        JsonElement policies = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "apps/db.example.com/policies");
        Assert.Equal(["block-eve", "ops", "last"], policies.EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        JsonElement alice = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "apps/db.example.com/policy-test", """{"email":"alice@example.com","groups":["ops"]}""");
        Assert.Equal(["allowed", "policy", "reason"], alice.EnumerateObject().Select(p => p.Name));
        Assert.Equal((true, "ops"), (alice.GetProperty("allowed").GetBoolean(), alice.GetProperty("policy").GetString()));
        JsonElement eve = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "apps/db.example.com/policy-test", """{"email":"eve@example.com","groups":["ops"]}""");
        Assert.Equal((false, "block-eve"), (eve.GetProperty("allowed").GetBoolean(), eve.GetProperty("policy").GetString()));
        JsonElement anonymous = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "apps/db.example.com/policy-test", "{}");
        Assert.False(anonymous.GetProperty("allowed").GetBoolean());

        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"policies/{allow.GetProperty("id").GetGuid():N}");
        Assert.Equal(2, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "apps/db.example.com/policies")).GetArrayLength());
        Assert.StartsWith("no policy with id", await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, $"policies/{allow.GetProperty("id").GetGuid()}"), StringComparison.Ordinal);
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("apps/db.example.com/policies", """{"name":"p"}""", HttpStatusCode.BadRequest, "action: is required")]
    [InlineData("apps/db.example.com/policies", """{"name":"p","action":"permit"}""", HttpStatusCode.BadRequest, "action: \"permit\" is not a policy action")]
    [InlineData("apps/db.example.com/policies", """{"name":"p","action":"allow","include":["everyone","mail:a@b.c"]}""", HttpStatusCode.BadRequest, "include[1]: selector \"mail:a@b.c\"")]
    [InlineData("apps/db.example.com/policies", """{"name":"p","action":"allow","require":["ip:300.0.0.0/8"]}""", HttpStatusCode.BadRequest, "require[0]: selector ")]
    [InlineData("apps/db.example.com/policies", """{"name":"p","action":"allow","precedence":0}""", HttpStatusCode.BadRequest, "precedence: is 0")]
    [InlineData("apps/db.example.com/policies", """{"name":"p","action":"allow","exclude":[null]}""", HttpStatusCode.BadRequest, "exclude[0]: selector ")]
    [InlineData("apps/db.example.com/policies", """{"name":"p","action":"allow","include":["email:a\u0000b@c.d"]}""", HttpStatusCode.BadRequest, "include[0]: selector ")]
    [InlineData("apps/nosuch.example.com/policies", """{"name":"p","action":"allow"}""", HttpStatusCode.NotFound, "no application for 'nosuch.example.com'")]
    [InlineData("apps/db.example.com/policy-test", """{"ip":"10.0.0.300"}""", HttpStatusCode.BadRequest, "ip: '10.0.0.300' is not an IP address")]
    [InlineData("apps/db.example.com/policy-test", """{"email":""}""", HttpStatusCode.BadRequest, "email, serviceToken: give one")]
    [InlineData("apps/db.example.com/policy-test", """{"email":"a@b.c","serviceToken":"ci"}""", HttpStatusCode.BadRequest, "email, serviceToken: give one")]
    [InlineData("apps/nosuch.example.com/policy-test", "{}", HttpStatusCode.NotFound, "no application for 'nosuch.example.com'")]
    [InlineData("sessions/revoke", "{}", HttpStatusCode.BadRequest, "give exactly one of id")]
    [InlineData("sessions/revoke", """{"id":"00000000-0000-0000-0000-000000000001","email":"a@b.c"}""", HttpStatusCode.BadRequest, "give exactly one of id")]
    [InlineData("sessions/revoke", """{"email":"' OR 1=1 --"}""", HttpStatusCode.BadRequest, "email: \"' OR 1=1 --\" is not an e-mail address")]
    [InlineData("sessions/revoke", """{"email":"a@b.c","reason":"x\u0000"}""", HttpStatusCode.BadRequest, "reason: ")]
    public async Task PolicyAndSessionRefusals_NameTheField_AndChangeNothing(string path, string body, HttpStatusCode status, string expected)
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(status, HttpMethod.Post, path, body);

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.False(error.Any(char.IsControl), error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Sessions_ListRevokeAndAll_ShowWhatTheStoreHolds()
    {
        UserSession alice = await _edge.CreateSessionAsync("alice@example.com", ["ops"]);
        UserSession bob = await _edge.CreateSessionAsync("bob@example.com", ["ops"]);

        JsonElement sessions = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "sessions");
        Assert.Equal(["id", "email", "displayName", "groups", "loginMethod", "clientAddress", "createdAt", "expiresAt", "revokedAt", "revokedReason", "openConnections"],
            sessions[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, sessions.GetArrayLength());

        JsonElement byId = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "sessions/revoke", $$"""{"id":"{{alice.Id}}","reason":"left"}""");
        Assert.Equal(["revoked", "connectionsClosed"], byId.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, byId.GetProperty("revoked").GetInt32());
        Assert.Equal(1, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "sessions/revoke", """{"email":"bob@example.com"}""")).GetProperty("revoked").GetInt32());
        Assert.Equal(0, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "sessions/revoke", """{"email":"nobody@example.com"}""")).GetProperty("revoked").GetInt32());

        Assert.Equal(0, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "sessions")).GetArrayLength());
        JsonElement all = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "sessions?all=true");
        JsonElement revoked = Assert.Single(all.EnumerateArray(), s => s.GetProperty("id").GetGuid() == alice.Id);
        Assert.Equal("left", revoked.GetProperty("revokedReason").GetString());
        Assert.Equal(bob.Id, Assert.Single(all.EnumerateArray(), s => s.GetProperty("email").GetString() == "bob@example.com").GetProperty("id").GetGuid());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Audit_FiltersByKindAndSince_AndLimits()
    {
        DateTimeOffset start = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (int i = 0; i < 3; i++)
        {
            await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "service-tokens", $$"""{"name":"ci-{{i}}"}""");
        }

        JsonElement events = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "audit?kind=admin");
        Assert.Equal(["id", "at", "kind", "actor", "app", "outcome", "policy", "clientAddress", "bytesUp", "bytesDown", "durationMs", "detail"],
            events[0].EnumerateObject().Select(p => p.Name));
        Assert.All(events.EnumerateArray(), e => Assert.Equal("admin", e.GetProperty("kind").GetString()));
        Assert.Equal(2, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "audit?kind=admin&limit=2")).GetArrayLength());
        Assert.Equal(3, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get,
            $"audit?kind=admin&since={Uri.EscapeDataString(start.ToString("O"))}")).EnumerateArray().Count(e => e.GetProperty("detail").GetString()!.StartsWith("POST /api/v1/service-tokens", StringComparison.Ordinal)));
        Assert.Equal(0, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "audit?since=2999-01-01T00:00:00Z")).GetArrayLength());
    }
}
