using System.Net;
using System.Text.Json;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>POST/GET/DELETE /tunnels, GET /tunnels/{reference} and rotate-secret over real HTTPS.</summary>
public sealed class AdminApiTunnelTests : IAsyncLifetime
{
    private AdminEdge _edge = null!;

    public async Task InitializeAsync() => _edge = await AdminEdge.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Create_Returns201WithACredentialThatParsesAndAuthenticatesALink()
    {
        JsonElement created = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "tunnels", """{"name":"db-prod"}""");

        Assert.Equal(["id", "name", "credential", "token"], created.EnumerateObject().Select(p => p.Name));
        Guid id = created.GetProperty("id").GetGuid();
        Assert.Equal("db-prod", created.GetProperty("name").GetString());
        TunnelCredential credential = TunnelCredential.Parse(created.GetProperty("credential").GetString()!);
        Assert.Equal(id, credential.TunnelId);
        Assert.Equal("db-prod", credential.TunnelName);
        Assert.Equal($"https://localhost:{_edge.Host.Port}", credential.EdgeUrl);
        Assert.Equal(_edge.Host.Runtime.CaCertificatePem, credential.CaCertificatePem);
        TunnelCredential fromToken = TunnelCredential.ParseToken(created.GetProperty("token").GetString()!);
        Assert.Equal((credential.TunnelId, credential.EdgeUrl), (fromToken.TunnelId, fromToken.EdgeUrl));
        Assert.Equal(credential.Secret, fromToken.Secret);
        Assert.True(_edge.Host.State.Current.TryAuthenticateTunnel(id, credential.Secret));
        Assert.False(_edge.Host.State.Current.TryAuthenticateTunnel(id, SecretHash.NewSecret()));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task List_ShowsTunnelsWithTheirRoutesAndNoSecrets()
    {
        TunnelCredential db = await _edge.CreateTunnelAsync("db-prod");
        await _edge.CreateTunnelAsync("ssh");
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", """{"hostname":"db.example.com","tunnel":"db-prod"}""");

        JsonElement list = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels");

        Assert.Equal(["db-prod", "ssh"], list.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        JsonElement first = list[0];
        Assert.Equal(["id", "name", "createdAt", "routes", "links"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(db.TunnelId, first.GetProperty("id").GetGuid());
        Assert.Equal(["db.example.com"], first.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(0, first.GetProperty("links").GetArrayLength());
        Assert.DoesNotContain(SecretHash.ToBase64Url(db.Secret), list.GetRawText(), StringComparison.Ordinal);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Get_FindsATunnelByNameAndByEitherIdForm()
    {
        TunnelCredential db = await _edge.CreateTunnelAsync("db-prod");

        foreach (string reference in new[] { "db-prod", db.TunnelId.ToString("N"), db.TunnelId.ToString("D") })
        {
            JsonElement view = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"tunnels/{reference}");
            Assert.Equal(db.TunnelId, view.GetProperty("id").GetGuid());
            Assert.Equal("db-prod", view.GetProperty("name").GetString());
        }
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Delete_Returns204_ThenTheTunnelIsGoneWithItsRoutesAndStopsAuthenticating()
    {
        TunnelCredential db = await _edge.CreateTunnelAsync("db-prod");
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", """{"hostname":"db.example.com","tunnel":"db-prod"}""");

        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "tunnels/db-prod");

        Assert.Equal(0, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels")).GetArrayLength());
        Assert.Equal(0, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "routes")).GetArrayLength());
        Assert.False(_edge.Host.State.Current.TryAuthenticateTunnel(db.TunnelId, db.Secret));
        Assert.Contains("no tunnel named 'db-prod'", await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Get, "tunnels/db-prod"), StringComparison.Ordinal);
        Assert.Contains($"no tunnel named '{db.TunnelId:N}'", await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, $"tunnels/{db.TunnelId:N}"), StringComparison.Ordinal);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task DeletedName_MayBeReused()
    {
        TunnelCredential old = await _edge.CreateTunnelAsync("db-prod");
        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"tunnels/{old.TunnelId}");

        TunnelCredential replacement = await _edge.CreateTunnelAsync("db-prod");

        Assert.NotEqual(old.TunnelId, replacement.TunnelId);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task RotateSecret_IssuesANewSecret_AndTheOldOneStopsAuthenticating()
    {
        TunnelCredential before = await _edge.CreateTunnelAsync("db-prod");

        JsonElement rotated = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "tunnels/db-prod/rotate-secret");

        Assert.Equal(["id", "name", "credential", "token"], rotated.EnumerateObject().Select(p => p.Name));
        TunnelCredential after = TunnelCredential.Parse(rotated.GetProperty("credential").GetString()!);
        Assert.Equal(before.TunnelId, after.TunnelId);
        Assert.NotEqual(before.Secret, after.Secret);
        Assert.True(_edge.Host.State.Current.TryAuthenticateTunnel(after.TunnelId, after.Secret));
        Assert.False(_edge.Host.State.Current.TryAuthenticateTunnel(before.TunnelId, before.Secret));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task DuplicateName_Is409_AndChangesNothing()
    {
        TunnelCredential first = await _edge.CreateTunnelAsync("db-prod");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.Conflict, HttpMethod.Post, "tunnels", """{"name":"db-prod"}""");

        Assert.Contains($"A tunnel named \"db-prod\" already exists (id {first.TunnelId})", error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("GET", "tunnels/nope")]
    [InlineData("DELETE", "tunnels/nope")]
    [InlineData("POST", "tunnels/nope/rotate-secret")]
    [InlineData("GET", "tunnels/00000000000000000000000000000000")]
    [InlineData("GET", "tunnels/%27%20OR%201%3D1%20--")]
    public async Task UnknownReference_Is404NamingIt_AndChangesNothing(string method, string path)
    {
        await _edge.CreateTunnelAsync("db-prod");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, new HttpMethod(method), path);

        Assert.Equal($"no tunnel named '{Uri.UnescapeDataString(path.Split('/')[1])}': `drawbridge tunnel list` shows them", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task UnknownReference_WithControlCharactersAndGreatLength_IsEchoedShortAndPrintable()
    {
        string reference = "a\nb\u001b[31m" + new string('x', 2000);

        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"tunnels/{Uri.EscapeDataString(reference)}");

        Assert.StartsWith("no tunnel named 'a?b?[31mxxx", error, StringComparison.Ordinal);
        Assert.DoesNotContain(error, char.IsControl);
        Assert.True(error.Length < 200, $"the message is {error.Length} characters long");
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task SqlInjectionName_IsStoredVerbatim()
    {
        const string name = "x'); DROP TABLE tunnels; --";

        JsonElement created = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "tunnels", AdminEdge.Json(new { name }));
        JsonElement found = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"tunnels/{Uri.EscapeDataString(name)}");

        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("id").GetGuid(), found.GetProperty("id").GetGuid());
        Assert.Equal([name], (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels")).EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task UnicodeName_IsStoredVerbatim()
    {
        const string name = "données-prod 数据库";

        JsonElement found = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "tunnels", AdminEdge.Json(new { name }));

        Assert.Equal(name, found.GetProperty("name").GetString());
        Assert.Equal(name, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"tunnels/{Uri.EscapeDataString(name)}")).GetProperty("name").GetString());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("db\nprod", "name: contains control characters")]
    [InlineData("db\u0000prod", "name: contains control characters")]
    [InlineData("\u001b[31mred", "name: contains control characters")]
    [InlineData("", "name: is empty")]
    [InlineData("   ", "name: is empty")]
    [InlineData(" db", "name: starts or ends with spaces")]
    [InlineData(null, "name: is required")]
    public async Task BadName_Is400NamingTheField_AndChangesNothing(string? name, string expected)
    {
        await _edge.CreateTunnelAsync("existing");
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "tunnels", AdminEdge.Json(new { name }));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TenKilobyteName_Is400_AndChangesNothing()
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "tunnels", AdminEdge.Json(new { name = new string('n', 10 * 1024) }));

        Assert.Equal("name: is 10240 characters long: at most 100", error);
        Assert.Equal(before, await _edge.StateAsync());
    }
}
