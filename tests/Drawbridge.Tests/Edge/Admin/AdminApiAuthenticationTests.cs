using System.Net;
using Drawbridge.Edge.Admin;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>Every admin endpoint refuses a missing, malformed, wrong or revoked admin token with 401 and a JSON error.</summary>
public sealed class AdminApiAuthenticationTests : IAsyncLifetime
{
    /// <summary>Each refusal names the way in (sign in, or the bootstrap credential) and never echoes the credential.</summary>
    private static void AssertRefusal(string error, string? authorization)
    {
        Assert.Contains("drawbridge tunnel login", error, StringComparison.Ordinal);
        if (authorization is { Length: > 12 })
        {
            Assert.DoesNotContain(authorization[7..], error, StringComparison.Ordinal);
        }
    }

    private AdminEdge _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await AdminEdge.StartAsync();
        await _edge.SeedAsync();
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    /// <summary>Every route of AdminApi.Map, each with a body it would accept.</summary>
    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "POST", "tunnels", """{"name":"new"}""" },
        { "GET", "tunnels", null },
        { "GET", "tunnels/db-prod", null },
        { "DELETE", "tunnels/db-prod", null },
        { "POST", "tunnels/db-prod/rotate-secret", null },
        { "POST", "routes", """{"hostname":"new.example.com","tunnel":"db-prod"}""" },
        { "GET", "routes", null },
        { "DELETE", "routes/db.example.com", null },
        { "POST", "service-tokens", """{"name":"new"}""" },
        { "GET", "service-tokens", null },
        { "DELETE", "service-tokens/ci", null },
        { "POST", "apps", """{"hostname":"new.example.com"}""" },
        { "GET", "apps", null },
        { "GET", "apps/localhost", null },
        { "DELETE", "apps/localhost", null },
        { "POST", "apps/localhost/policies", """{"name":"p","action":"allow","include":["everyone"]}""" },
        { "GET", "apps/localhost/policies", null },
        { "POST", "apps/localhost/policy-test", """{"email":"a@example.com"}""" },
        { "DELETE", $"policies/{Guid.NewGuid():N}", null },
        { "GET", "sessions", null },
        { "POST", "sessions/revoke", """{"email":"a@example.com"}""" },
        { "GET", "audit", null },
    };

    /// <summary>Authorization headers that must all be refused (null: no header at all).</summary>
    private IEnumerable<string?> BadAuthorizations()
    {
        string token = _edge.Admin.ApiToken;
        string id = token[..32];
        yield return null;
        yield return "";
        yield return "Bearer";
        yield return "Bearer ";
        yield return "Bearer garbage";
        yield return $"Bearer {id}.{SecretHash.ToBase64Url(SecretHash.NewSecret())}";
        yield return $"Bearer {Guid.NewGuid():N}.{token[33..]}";
        yield return $"Bearer {token}x";
        yield return $"Bearer {token[..^1]}";
        yield return $"Bearer {token.Replace('.', ':')}";
        yield return $"Basic {token}";
        yield return $"Tunnel {token}";
        yield return token;
        yield return $"Bearer {token}{new string('A', 10 * 1024)}";
        yield return $"Bearer ' OR 1=1 --";
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(Endpoints))]
    public async Task BadAuthorization_Is401WithAJsonError_AndChangesNothing(string method, string path, string? json)
    {
        string before = await _edge.StateAsync();

        foreach (string? authorization in BadAuthorizations())
        {
            using HttpClient client = _edge.NewClient(authorization);
            string error = await _edge.ErrorAsync(HttpStatusCode.Unauthorized, new HttpMethod(method), path, json, client);
            AssertRefusal(error, authorization);
        }

        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(Endpoints))]
    public async Task DeletedAdminToken_Is401_AndChangesNothing(string method, string path, string? json)
    {
        byte[] secret = SecretHash.NewSecret();
        AdminToken second = await _edge.Host.State.Store.CreateAdminTokenAsync("second", SecretHash.Hash(secret), CancellationToken.None);
        using HttpClient client = _edge.NewClient($"Bearer {AdminTokens.Format(second.Id, secret)}");
        await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels", client: client);
        Assert.True(await _edge.Host.State.Store.DeleteAdminTokenAsync(second.Id, CancellationToken.None));
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.Unauthorized, new HttpMethod(method), path, json, client);

        AssertRefusal(error, null);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task BearerScheme_IsCaseInsensitive()
    {
        using HttpClient client = _edge.NewClient($"bearer {_edge.Admin.ApiToken}");

        await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels", client: client);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task UnauthenticatedOversizedBody_IsRefusedBeforeItIsRead()
    {
        using HttpClient client = _edge.NewClient(null);
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "tunnels", $$"""{"name":"{{new string('x', 60_000)}}"}""", client);

        AssertRefusal(error, null);
        Assert.Equal(before, await _edge.StateAsync());
    }
}
