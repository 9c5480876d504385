using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>Service tokens, admin tokens, the change counter, and input that tries to be SQL. The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStoreTokenTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private readonly PostgresServer? _server;

    private protected EdgeStoreTokenTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task CreateServiceToken_GetsARandomAccessClientId()
    {
        var hash = StoreUnderTest.NewHash();

        var token = await Store.CreateServiceTokenAsync("ci-deploy", hash, Token);
        var other = await Store.CreateServiceTokenAsync("ci-deploy", StoreUnderTest.NewHash(), Token);

        Assert.Matches("^[0-9a-f]{32}\\.access$", token.ClientId);
        Assert.NotEqual(token.ClientId, other.ClientId);
        Assert.Equal(hash, token.SecretHash);
        Assert.Null(token.RevokedAt);
        Assert.Equal(token, await Store.FindServiceTokenByClientIdAsync(token.ClientId, Token));
        Assert.Null(await Store.FindServiceTokenByClientIdAsync("0123456789abcdef0123456789abcdef.access", Token));
    }

    [Fact]
    public async Task RevokeServiceToken_StampsItOnce()
    {
        var token = await Store.CreateServiceTokenAsync("ci", StoreUnderTest.NewHash(), Token);
        _scope.Time.Advance(TimeSpan.FromDays(1));

        Assert.True(await Store.RevokeServiceTokenAsync(token.Id, Token));
        Assert.False(await Store.RevokeServiceTokenAsync(token.Id, Token));
        Assert.False(await Store.RevokeServiceTokenAsync(Guid.NewGuid(), Token));

        Assert.Equal(_scope.Time.GetUtcNow(), (await Store.FindServiceTokenByClientIdAsync(token.ClientId, Token))!.RevokedAt);
    }

    [Fact]
    public async Task ListServiceTokens_IncludesRevokedOnesInCreationOrder()
    {
        var first = await Store.CreateServiceTokenAsync("first", StoreUnderTest.NewHash(), Token);
        _scope.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Store.CreateServiceTokenAsync("second", StoreUnderTest.NewHash(), Token);
        await Store.RevokeServiceTokenAsync(first.Id, Token);

        Assert.Equal([first.Id, second.Id], (await Store.ListServiceTokensAsync(Token)).Select(t => t.Id));
    }

    [Fact]
    public async Task CreateServiceToken_ValidatesNameAndHash()
    {
        await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateServiceTokenAsync("", StoreUnderTest.NewHash(), Token));
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateServiceTokenAsync("ci", "secret-in-clear", Token));
        Assert.StartsWith("secretHash:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminTokens_AreCreatedFoundListedAndDeleted()
    {
        var hash = StoreUnderTest.NewHash();

        var token = await Store.CreateAdminTokenAsync("bootstrap", hash, Token);

        Assert.Equal(new AdminToken(token.Id, "bootstrap", hash, _scope.Time.GetUtcNow()), token);
        Assert.Equal(token, await Store.FindAdminTokenAsync(token.Id, Token));
        Assert.Equal([token], await Store.ListAdminTokensAsync(Token));
        Assert.True(await Store.DeleteAdminTokenAsync(token.Id, Token));
        Assert.False(await Store.DeleteAdminTokenAsync(token.Id, Token));
        Assert.Null(await Store.FindAdminTokenAsync(token.Id, Token));
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateAdminTokenAsync("x", "nope", Token));
        Assert.StartsWith("tokenHash:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeCounter_MovesWithEveryChangeAndNothingElse()
    {
        var counter = await Store.GetChangeCounterAsync(Token);

        async Task Expect(long delta)
        {
            var now = await Store.GetChangeCounterAsync(Token);
            Assert.Equal(counter + delta, now);
            counter = now;
        }

        var tunnel = await Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token);
        await Expect(1);
        await Store.ListTunnelsAsync(includeDeleted: true, Token);
        await Store.GetTunnelAsync(tunnel.Id, Token);
        await Expect(0);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), Token));
        await Expect(0);
        await Store.RotateTunnelSecretAsync(tunnel.Id, StoreUnderTest.NewHash(), Token);
        await Expect(1);
        await Store.AddRouteAsync("db.example.com", tunnel.Id, Token);
        await Expect(1);
        await Store.RemoveRouteAsync("db.example.com", Token);
        await Store.RemoveRouteAsync("db.example.com", Token);
        await Expect(1);
        var token = await Store.CreateServiceTokenAsync("ci", StoreUnderTest.NewHash(), Token);
        await Store.RevokeServiceTokenAsync(token.Id, Token);
        await Store.RevokeServiceTokenAsync(token.Id, Token);
        await Expect(2);
        var admin = await Store.CreateAdminTokenAsync("admin", StoreUnderTest.NewHash(), Token);
        await Store.DeleteAdminTokenAsync(admin.Id, Token);
        await Expect(2);
        await Store.DeleteTunnelAsync(tunnel.Id, Token);
        await Store.DeleteTunnelAsync(tunnel.Id, Token);
        await Expect(1);
    }

    [Fact]
    public async Task ConcurrentWriters_AllSucceed()
    {
        var writes = Enumerable.Range(0, 24)
            .Select(i => Task.Run(() => Store.CreateServiceTokenAsync($"token-{i}", StoreUnderTest.NewHash(), Token)));

        await Task.WhenAll(writes);

        Assert.Equal(24, (await Store.ListServiceTokensAsync(Token)).Count);
        Assert.Equal(24, await Store.GetChangeCounterAsync(Token));
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE tunnels;--")]
    [InlineData("x\" OR 1=1 --")]
    [InlineData("'; DELETE FROM service_tokens; SELECT '")]
    [InlineData("名前 🙂 ünïcödé")]
    public async Task NamesThatLookLikeSql_AreStoredVerbatimAndNeverRun(string name)
    {
        var keep = await Store.CreateServiceTokenAsync("keep", StoreUnderTest.NewHash(), Token);

        var tunnel = await Store.CreateTunnelAsync(name, StoreUnderTest.NewHash(), Token);
        var token = await Store.CreateServiceTokenAsync(name, StoreUnderTest.NewHash(), Token);
        await _scope.ReopenAsync();

        Assert.Equal(name, (await _scope.Store.FindTunnelByNameAsync(name, Token))!.Name);
        Assert.Equal(name, (await _scope.Store.GetTunnelAsync(tunnel.Id, Token))!.Name);
        Assert.Contains(token, await _scope.Store.ListServiceTokensAsync(Token));
        Assert.Contains(keep, await _scope.Store.ListServiceTokensAsync(Token));
        Assert.Null(await _scope.Store.FindTunnelByNameAsync("' OR '1'='1", Token));
        Assert.Null(await _scope.Store.FindServiceTokenByClientIdAsync("' OR '1'='1", Token));
        Assert.Equal(["admin_tokens", "apps", "audit_events", "change_counter", "policies", "routes", "schema_migrations", "service_tokens", "signing_keys", "tunnels", "user_sessions"], await _scope.TableNamesAsync());
    }
}
