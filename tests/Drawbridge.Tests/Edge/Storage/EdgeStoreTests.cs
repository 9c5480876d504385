using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>Tunnels and routes. The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStoreTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private readonly PostgresServer? _server;

    private protected EdgeStoreTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task CreateTunnel_IsFoundByIdAndByName()
    {
        var hash = StoreUnderTest.NewHash();

        var created = await Store.CreateTunnelAsync("db-prod", hash, Token);

        Assert.Equal("db-prod", created.Name);
        Assert.Equal(hash, created.SecretHash);
        Assert.Equal(_scope.Time.GetUtcNow(), created.CreatedAt);
        Assert.Null(created.DeletedAt);
        Assert.Equal(created, await Store.GetTunnelAsync(created.Id, Token));
        Assert.Equal(created, await Store.FindTunnelByNameAsync("db-prod", Token));
        Assert.Null(await Store.GetTunnelAsync(Guid.NewGuid(), Token));
        Assert.Null(await Store.FindTunnelByNameAsync("DB-PROD", Token));
    }

    [Fact]
    public async Task CreateTunnel_WithATakenName_IsAConflictNamingIt()
    {
        var first = await Store.CreateTunnelAsync("db-prod", StoreUnderTest.NewHash(), Token);

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateTunnelAsync("db-prod", StoreUnderTest.NewHash(), Token));

        Assert.Contains($"A tunnel named \"db-prod\" already exists (id {first.Id})", ex.Message, StringComparison.Ordinal);
        Assert.Single(await Store.ListTunnelsAsync(includeDeleted: true, Token));
    }

    [Fact]
    public async Task CreateTunnel_MayReuseTheNameOfADeletedTunnel()
    {
        var old = await Store.CreateTunnelAsync("db-prod", StoreUnderTest.NewHash(), Token);
        await Store.DeleteTunnelAsync(old.Id, Token);

        var replacement = await Store.CreateTunnelAsync("db-prod", StoreUnderTest.NewHash(), Token);

        Assert.NotEqual(old.Id, replacement.Id);
        Assert.Equal(replacement, await Store.FindTunnelByNameAsync("db-prod", Token));
    }

    [Theory]
    [InlineData("", "name: is empty")]
    [InlineData("   ", "name: is empty")]
    [InlineData("line\nbreak", "name: contains control characters")]
    [InlineData("escape\u001b[31m", "name: contains control characters")]
    [InlineData(" padded", "name: starts or ends with spaces")]
    public async Task CreateTunnel_RefusesABadName_NamingTheField(string name, string expected)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateTunnelAsync(name, StoreUnderTest.NewHash(), Token));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTunnel_RefusesANameOver100Characters()
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateTunnelAsync(new string('a', 101), StoreUnderTest.NewHash(), Token));

        Assert.Equal("name: is 101 characters long: at most 100", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-hash")]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    public async Task CreateTunnel_RefusesAnythingButASecretHash(string hash)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateTunnelAsync("t", hash, Token));

        Assert.StartsWith("secretHash:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListTunnels_ShowsDeletedTunnelsOnlyWhenAsked()
    {
        var kept = await Store.CreateTunnelAsync("kept", StoreUnderTest.NewHash(), Token);
        _scope.Time.Advance(TimeSpan.FromSeconds(1));
        var gone = await Store.CreateTunnelAsync("gone", StoreUnderTest.NewHash(), Token);
        await Store.DeleteTunnelAsync(gone.Id, Token);

        Assert.Equal([kept.Id], (await Store.ListTunnelsAsync(includeDeleted: false, Token)).Select(t => t.Id));
        Assert.Equal([kept.Id, gone.Id], (await Store.ListTunnelsAsync(includeDeleted: true, Token)).Select(t => t.Id));
    }

    [Fact]
    public async Task DeleteTunnel_IsSoft_RemovesItsRoutes_AndHappensOnce()
    {
        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);
        await Store.AddRouteAsync("db.example.com", tunnel.Id, Token);
        _scope.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await Store.DeleteTunnelAsync(tunnel.Id, Token));
        Assert.False(await Store.DeleteTunnelAsync(tunnel.Id, Token));
        Assert.False(await Store.DeleteTunnelAsync(Guid.NewGuid(), Token));

        var deleted = await Store.GetTunnelAsync(tunnel.Id, Token);
        Assert.Equal(_scope.Time.GetUtcNow(), deleted!.DeletedAt);
        Assert.Null(await Store.FindTunnelByNameAsync("db", Token));
        Assert.Empty(await Store.ListRoutesAsync(tunnelId: null, Token));
    }

    [Fact]
    public async Task RotateTunnelSecret_ReplacesTheHash()
    {
        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);
        var newHash = StoreUnderTest.NewHash();

        var rotated = await Store.RotateTunnelSecretAsync(tunnel.Id, newHash, Token);

        Assert.Equal(tunnel with { SecretHash = newHash }, rotated);
        Assert.Equal(newHash, (await Store.GetTunnelAsync(tunnel.Id, Token))!.SecretHash);
    }

    [Fact]
    public async Task RotateTunnelSecret_OfAnUnknownOrDeletedTunnel_IsNotFound()
    {
        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);
        await Store.DeleteTunnelAsync(tunnel.Id, Token);

        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.RotateTunnelSecretAsync(tunnel.Id, StoreUnderTest.NewHash(), Token));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.RotateTunnelSecretAsync(Guid.NewGuid(), StoreUnderTest.NewHash(), Token));
    }

    [Fact]
    public async Task AddRoute_StoresTheHostnameInLowercase()
    {
        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);

        var route = await Store.AddRouteAsync("DB.Example.COM", tunnel.Id, Token);

        Assert.Equal(new Route("db.example.com", tunnel.Id, _scope.Time.GetUtcNow()), route);
        Assert.Equal([route], await Store.ListRoutesAsync(tunnel.Id, Token));
    }

    [Fact]
    public async Task AddRoute_ForTheSameTunnelAgain_ReturnsTheExistingRouteAndChangesNothing()
    {
        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);
        var first = await Store.AddRouteAsync("db.example.com", tunnel.Id, Token);
        var counter = await Store.GetChangeCounterAsync(Token);
        _scope.Time.Advance(TimeSpan.FromHours(1));

        var again = await Store.AddRouteAsync("db.EXAMPLE.com", tunnel.Id, Token);

        Assert.Equal(first, again);
        Assert.Equal(counter, await Store.GetChangeCounterAsync(Token));
    }

    [Fact]
    public async Task AddRoute_ToAHostnameOfAnotherTunnel_IsAConflictNamingTheOwner()
    {
        var owner = await Store.CreateTunnelAsync("owner", StoreUnderTest.NewHash(), Token);
        var other = await Store.CreateTunnelAsync("other", StoreUnderTest.NewHash(), Token);
        await Store.AddRouteAsync("db.example.com", owner.Id, Token);

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddRouteAsync("db.example.com", other.Id, Token));

        Assert.Equal($"db.example.com is already routed to tunnel \"owner\" (id {owner.Id}): remove that route first.", ex.Message);
    }

    [Fact]
    public async Task AddRoute_ToAnUnknownOrDeletedTunnel_IsNotFound()
    {
        var deleted = await Store.CreateTunnelAsync("gone", StoreUnderTest.NewHash(), Token);
        await Store.DeleteTunnelAsync(deleted.Id, Token);

        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.AddRouteAsync("a.example.com", deleted.Id, Token));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.AddRouteAsync("a.example.com", Guid.NewGuid(), Token));
    }

    [Fact]
    public async Task AddRoute_AfterTheOwnerIsDeleted_MayGoToAnotherTunnel()
    {
        var owner = await Store.CreateTunnelAsync("owner", StoreUnderTest.NewHash(), Token);
        var next = await Store.CreateTunnelAsync("next", StoreUnderTest.NewHash(), Token);
        await Store.AddRouteAsync("db.example.com", owner.Id, Token);
        await Store.DeleteTunnelAsync(owner.Id, Token);

        var route = await Store.AddRouteAsync("db.example.com", next.Id, Token);

        Assert.Equal(next.Id, route.TunnelId);
    }

    [Fact]
    public async Task RemoveRoute_RemovesOnce()
    {
        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);
        await Store.AddRouteAsync("db.example.com", tunnel.Id, Token);

        Assert.True(await Store.RemoveRouteAsync("DB.example.com", Token));
        Assert.False(await Store.RemoveRouteAsync("db.example.com", Token));
        Assert.Empty(await Store.ListRoutesAsync(tunnelId: null, Token));
    }

    [Fact]
    public async Task ListRoutes_IsSortedAndFiltersByTunnel()
    {
        var a = await Store.CreateTunnelAsync("a", StoreUnderTest.NewHash(), Token);
        var b = await Store.CreateTunnelAsync("b", StoreUnderTest.NewHash(), Token);
        await Store.AddRouteAsync("z.example.com", a.Id, Token);
        await Store.AddRouteAsync("m.example.com", b.Id, Token);
        await Store.AddRouteAsync("a.example.com", a.Id, Token);

        Assert.Equal(
            ["a.example.com", "m.example.com", "z.example.com"],
            (await Store.ListRoutesAsync(tunnelId: null, Token)).Select(r => r.Hostname));
        Assert.Equal(["a.example.com", "z.example.com"], (await Store.ListRoutesAsync(a.Id, Token)).Select(r => r.Hostname));
    }
}
