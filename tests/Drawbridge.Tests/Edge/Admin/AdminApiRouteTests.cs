using System.Net;
using System.Text.Json;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>POST/GET/DELETE /routes over real HTTPS.</summary>
public sealed class AdminApiRouteTests : IAsyncLifetime
{
    private AdminEdge _edge = null!;
    private TunnelCredential _db = null!;

    public async Task InitializeAsync()
    {
        _edge = await AdminEdge.StartAsync();
        _db = await _edge.CreateTunnelAsync("db-prod");
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    private static string Route(string? hostname, string? tunnel) => AdminEdge.Json(new { hostname, tunnel });

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Add_Returns201WithTheLowerCasedHostname_AndTheEdgeRoutesIt()
    {
        JsonElement route = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("DB.Example.COM", "db-prod"));

        Assert.Equal(["hostname", "tunnelId", "createdAt"], route.EnumerateObject().Select(p => p.Name));
        Assert.Equal("db.example.com", route.GetProperty("hostname").GetString());
        Assert.Equal(_db.TunnelId, route.GetProperty("tunnelId").GetGuid());
        Assert.True(_edge.Host.State.Current.TryGetTunnelForHostname("db.example.com", out Guid routed));
        Assert.Equal(_db.TunnelId, routed);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Add_NamesTheTunnelByIdToo()
    {
        JsonElement route = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", _db.TunnelId.ToString()));

        Assert.Equal(_db.TunnelId, route.GetProperty("tunnelId").GetGuid());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Add_TheSameRouteTwice_ReturnsTheExistingRoute()
    {
        JsonElement first = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", "db-prod"));

        JsonElement second = await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", "db-prod"));

        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(1, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "routes")).GetArrayLength());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task List_ShowsEveryRouteByHostname()
    {
        TunnelCredential ssh = await _edge.CreateTunnelAsync("ssh");
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("ssh.example.com", "ssh"));
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", "db-prod"));

        JsonElement routes = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "routes");

        Assert.Equal(
            [("db.example.com", _db.TunnelId), ("ssh.example.com", ssh.TunnelId)],
            routes.EnumerateArray().Select(r => (r.GetProperty("hostname").GetString(), r.GetProperty("tunnelId").GetGuid())));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Remove_Returns204_ThenTheHostnameIsNoLongerRouted()
    {
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", "db-prod"));

        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "routes/DB.example.com");

        Assert.Equal(0, (await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "routes")).GetArrayLength());
        Assert.False(_edge.Host.State.Current.TryGetTunnelForHostname("db.example.com", out _));
        Assert.Equal("no route for 'db.example.com'", await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, "routes/db.example.com"));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task HostnameOfAnotherTunnel_Is409NamingTheOwner_AndChangesNothing()
    {
        await _edge.CreateTunnelAsync("ssh");
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", "db-prod"));
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.Conflict, HttpMethod.Post, "routes", Route("db.example.com", "ssh"));

        Assert.Equal($"db.example.com is already routed to tunnel \"db-prod\" (id {_db.TunnelId}): remove that route first.", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("nope")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("' OR 1=1 --")]
    [InlineData("")]
    public async Task UnknownTunnel_Is404NamingIt_AndChangesNothing(string tunnel)
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Post, "routes", Route("db.example.com", tunnel));

        Assert.Equal($"no tunnel named '{tunnel}': `drawbridge tunnel list` shows them", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task MissingTunnel_Is400SayingItIsRequired_AndChangesNothing()
    {
        string before = await _edge.StateAsync();

        Assert.Equal("tunnel: is required", await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "routes", Route("db.example.com", null)));
        Assert.Equal("tunnel: is required", await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "routes", """{"hostname":"db.example.com"}"""));
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task DeletedTunnel_CannotBeRouted()
    {
        await _edge.CreateTunnelAsync("gone");
        await _edge.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "tunnels/gone");
        string before = await _edge.StateAsync();

        await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Post, "routes", Route("db.example.com", "gone"));

        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("", "hostname: is empty")]
    [InlineData(null, "hostname: is required")]
    [InlineData("db example.com", "has characters other than a-z, 0-9, '-' and '.'")]
    [InlineData("x'; DROP TABLE routes; --", "has characters other than a-z, 0-9, '-' and '.'")]
    [InlineData("db.example.com\r\nX-Injected: 1", "has characters other than a-z, 0-9, '-' and '.'")]
    [InlineData("bücher.example", "use the punycode (xn--) form")]
    [InlineData("-db.example.com", "starts or ends with '-'")]
    [InlineData("db..example.com", "has an empty label")]
    [InlineData("db.example.com.", "has an empty label")]
    [InlineData("*.example.com", "has characters other than a-z, 0-9, '-' and '.'")]
    [InlineData("10.0.0.1", "is an IP address")]
    public async Task BadHostname_Is400SayingWhy_AndChangesNothing(string? hostname, string expected)
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "routes", Route(hostname, "db-prod"));

        Assert.StartsWith("hostname: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(error, char.IsControl);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TenKilobyteHostname_Is400WithAShortMessage_AndChangesNothing()
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "routes", Route(new string('a', 10 * 1024), "db-prod"));

        Assert.Equal("hostname: is 10240 characters long: a DNS name has at most 253", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("routes/not%20a%20host", "has characters other than")]
    [InlineData("routes/db..example.com", "has an empty label")]
    public async Task Remove_BadHostname_Is400_AndChangesNothing(string path, string expected)
    {
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", Route("db.example.com", "db-prod"));
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Delete, path);

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Remove_UnknownHostname_Is404NamingIt_AndChangesNothing()
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Delete, "routes/other.example.com");

        Assert.Equal("no route for 'other.example.com'", error);
        Assert.Equal(before, await _edge.StateAsync());
    }
}
