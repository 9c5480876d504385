using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>
/// A fresh database's schema, and which writes move the change counter that edges poll to
/// refresh their snapshot. The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).
/// </summary>
public abstract class EdgeStoreSchemaTests : IAsyncLifetime
{
    private static readonly string[] Schema2Tables = ["apps", "audit_events", "policies", "signing_keys", "user_sessions"];

    private static readonly string[] Schema1Tables = ["admin_tokens", "change_counter", "routes", "schema_migrations", "service_tokens", "tunnels"];

    private readonly PostgresServer? _server;

    private StoreUnderTest _scope = null!;

    private protected EdgeStoreSchemaTests(PostgresServer? server) => _server = server;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task Open_AFreshDatabase_HasEveryTableOfBothVersions()
    {
        Assert.Equal(Schema1Tables.Concat(Schema2Tables).Order(StringComparer.Ordinal), await _scope.TableNamesAsync());
        Assert.Equal([1L, 2L], await _scope.ColumnAsync("SELECT version FROM schema_migrations ORDER BY version;", r => Convert.ToInt64(r.GetValue(0))));
    }

    [Fact]
    public async Task ChangeCounter_MovesWithAppPolicySessionAndKeyWrites_ButNotWithAudit()
    {
        var counter = await Store.GetChangeCounterAsync(Token);

        async Task Expect(long delta)
        {
            var now = await Store.GetChangeCounterAsync(Token);
            Assert.Equal(counter + delta, now);
            counter = now;
        }

        var day = TimeSpan.FromHours(24);
        var now = _scope.Time.GetUtcNow();

        await Store.CreateAppAsync("db.example.com", day, Token);
        await Expect(1);
        await Store.GetAppAsync("db.example.com", Token);
        await Store.ListAppsAsync(Token);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateAppAsync("db.example.com", day, Token));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.UpdateAppAsync("nope.example.com", day, Token));
        await Expect(0);
        await Store.UpdateAppAsync("db.example.com", TimeSpan.FromHours(8), Token);
        await Expect(1);

        var policy = await Store.AddPolicyAsync("db.example.com", "p", "allow", 1, ["everyone"], [], [], Token);
        await Expect(1);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddPolicyAsync("db.example.com", "q", "allow", 1, [], [], [], Token));
        await Store.ListPoliciesAsync(null, Token);
        await Expect(0);
        await Store.UpdatePolicyAsync(policy.Id, "p", "deny", 2, [], [], [], Token);
        await Expect(1);
        await Store.DeletePolicyAsync(policy.Id, Token);
        await Store.DeletePolicyAsync(policy.Id, Token);
        await Expect(1);

        var session = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, now + day, Token);
        await Expect(1);
        await Store.GetSessionAsync(session.Id, Token);
        await Store.ListSessionsAsync(activeOnly: true, now, Token);
        await Expect(0);
        await Store.RevokeSessionAsync(session.Id, "signed out", Token);
        await Store.RevokeSessionAsync(session.Id, "signed out", Token);
        await Expect(1);
        await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, now + day, Token);
        await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, now + day, Token);
        await Expect(2);
        Assert.Equal(2, (await Store.RevokeSessionsByEmailAsync("bob@example.com", null, Token)).Count);
        await Expect(1);
        Assert.Empty(await Store.RevokeSessionsByEmailAsync("bob@example.com", null, Token));
        await Expect(0);

        await Store.AddSigningKeyAsync("k1", "EdDSA", Convert.ToBase64String(new byte[48]), Token);
        await Expect(1);
        await Store.RetireSigningKeyAsync("k1", now, Token);
        await Store.RetireSigningKeyAsync("k1", now, Token);
        await Expect(1);
        await Store.DeleteSigningKeyAsync("k1", Token);
        await Store.DeleteSigningKeyAsync("k1", Token);
        await Expect(1);

        for (int i = 0; i < 5; i++)
        {
            await Store.AppendAuditAsync(new AuditEvent(0, now, "connection", "bob@example.com", "db.example.com", "allowed", "p", null, 1, 2, 3, null), Token);
        }

        await Store.ListAuditAsync(null, null, null, null, 10, Token);
        await Expect(0);

        await Store.CreateAppAsync("other.example.com", day, Token);
        await Store.AddPolicyAsync("other.example.com", "a", "allow", 1, [], [], [], Token);
        await Store.AddPolicyAsync("other.example.com", "b", "deny", 2, [], [], [], Token);
        await Expect(3);
        await Store.DeleteAppAsync("other.example.com", Token);
        await Store.DeleteAppAsync("other.example.com", Token);
        await Expect(1);
    }

    [Fact]
    public async Task ValidationFailures_WriteNothing_AndLeaveTheCounterAlone()
    {
        var counter = await Store.GetChangeCounterAsync(Token);

        await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateAppAsync("db.example.com", TimeSpan.Zero, Token));
        await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync("x", "bob@example.com", null, [], "otp", null, _scope.Time.GetUtcNow().AddHours(1), Token));
        await Assert.ThrowsAsync<StoreValidationException>(() => Store.AddSigningKeyAsync("k", "HS256", "AAAA", Token));
        await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.AppendAuditAsync(new AuditEvent(0, _scope.Time.GetUtcNow(), "bogus", "a", null, "o", null, null, null, null, null, null), Token));

        Assert.Equal(counter, await Store.GetChangeCounterAsync(Token));
        Assert.Empty(await Store.ListAppsAsync(Token));
        Assert.Empty(await Store.ListSessionsAsync(activeOnly: false, _scope.Time.GetUtcNow(), Token));
        Assert.Empty(await Store.ListSigningKeysAsync(Token));
        Assert.Empty(await Store.ListAuditAsync(null, null, null, null, 10, Token));
    }
}
