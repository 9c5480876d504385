using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>POST/GET/DELETE /service-tokens over real HTTPS, and what the edge then accepts.</summary>
public sealed partial class AdminApiServiceTokenTests : IAsyncLifetime
{
    private AdminEdge _edge = null!;

    public async Task InitializeAsync() => _edge = await AdminEdge.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [GeneratedRegex("^[0-9a-f]{32}\\.access$")]
    private static partial Regex ClientIdShape();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex SecretShape();

    private async Task<(Guid Id, string ClientId, string Secret)> CreateAsync(string name)
    {
        JsonElement created = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "service-tokens", AdminEdge.Json(new { name }));
        return (created.GetProperty("id").GetGuid(), created.GetProperty("clientId").GetString()!, created.GetProperty("clientSecret").GetString()!);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Create_Returns201WithAClientIdAndHexSecretThatAuthenticate()
    {
        JsonElement created = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "service-tokens", """{"name":"ci-deploy"}""");

        Assert.Equal(["id", "name", "clientId", "clientSecret"], created.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ci-deploy", created.GetProperty("name").GetString());
        string clientId = created.GetProperty("clientId").GetString()!;
        string secret = created.GetProperty("clientSecret").GetString()!;
        Assert.Matches(ClientIdShape(), clientId);
        Assert.Matches(SecretShape(), secret);
        var match = _edge.Host.State.Current.AuthenticateServiceToken(clientId, secret);
        Assert.Equal(created.GetProperty("id").GetGuid(), match?.TokenId);
        Assert.Equal("ci-deploy", match?.Name);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task List_ShowsTokensWithoutSecrets()
    {
        var ci = await CreateAsync("ci");
        await CreateAsync("deploy");

        JsonElement list = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "service-tokens");

        Assert.Equal(["ci", "deploy"], list.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["id", "name", "clientId", "createdAt", "revokedAt"], list[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(ci.ClientId, list[0].GetProperty("clientId").GetString());
        Assert.Equal(JsonValueKind.Null, list[0].GetProperty("revokedAt").ValueKind);
        Assert.DoesNotContain(ci.Secret, list.GetRawText(), StringComparison.Ordinal);
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("name")]
    [InlineData("clientId")]
    [InlineData("id")]
    public async Task Revoke_ByNameClientIdOrId_Returns204_AndTheTokenNoLongerAuthenticates(string by)
    {
        var ci = await CreateAsync("ci");
        var deploy = await CreateAsync("deploy");
        string reference = by switch { "name" => "ci", "clientId" => ci.ClientId, _ => ci.Id.ToString() };

        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"service-tokens/{reference}");

        Assert.Null(_edge.Host.State.Current.AuthenticateServiceToken(ci.ClientId, ci.Secret));
        Assert.NotNull(_edge.Host.State.Current.AuthenticateServiceToken(deploy.ClientId, deploy.Secret));
        JsonElement listed = (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "service-tokens"))[0];
        Assert.Equal(JsonValueKind.String, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Revoke_Twice_IsA404TheSecondTime_AndChangesNothing()
    {
        await CreateAsync("ci");
        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "service-tokens/ci");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, "service-tokens/ci");

        Assert.Equal("no active service token 'ci'", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("nope")]
    [InlineData("0123456789abcdef0123456789abcdef.access")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("%27%20OR%201%3D1%20--")]
    public async Task Revoke_Unknown_Is404NamingIt_AndChangesNothing(string reference)
    {
        await CreateAsync("ci");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, $"service-tokens/{reference}");

        Assert.Equal($"no active service token '{Uri.UnescapeDataString(reference)}'", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    /// <summary>Names need not be unique, so a name two live tokens share says which token it means no better than a coin toss.</summary>
    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Revoke_ByANameTwoTokensShare_Is409AskingForTheClientId_AndChangesNothing()
    {
        var first = await CreateAsync("ci");
        var second = await CreateAsync("ci");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.Conflict, HttpMethod.Delete, "service-tokens/ci");

        Assert.Contains("2 active service tokens are named 'ci'", error, StringComparison.Ordinal);
        Assert.Contains(first.ClientId, error, StringComparison.Ordinal);
        Assert.Contains(second.ClientId, error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"service-tokens/{second.ClientId}");
        Assert.NotNull(_edge.Host.State.Current.AuthenticateServiceToken(first.ClientId, first.Secret));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task SqlInjectionName_IsStoredVerbatim()
    {
        const string name = "ci'; DELETE FROM service_tokens; --";

        var token = await CreateAsync(name);

        JsonElement listed = Assert.Single((await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "service-tokens")).EnumerateArray());
        Assert.Equal(name, listed.GetProperty("name").GetString());
        Assert.Equal(name, _edge.Host.State.Current.AuthenticateServiceToken(token.ClientId, token.Secret)?.Name);
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("ci\tdeploy", "name: contains control characters")]
    [InlineData("ci\u007f", "name: contains control characters")]
    [InlineData("", "name: is empty")]
    [InlineData(null, "name: is required")]
    [InlineData("ci ", "name: starts or ends with spaces")]
    public async Task BadName_Is400NamingTheField_AndChangesNothing(string? name, string expected)
    {
        await CreateAsync("existing");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "service-tokens", AdminEdge.Json(new { name }));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TenKilobyteName_Is400_AndChangesNothing()
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "service-tokens", AdminEdge.Json(new { name = new string('n', 10 * 1024) }));

        Assert.Equal("name: is 10240 characters long: at most 100", error);
        Assert.Equal(before, await _edge.StateAsync());
    }
}
