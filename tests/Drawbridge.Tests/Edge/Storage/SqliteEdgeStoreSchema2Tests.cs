using Drawbridge.Edge.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>Schema 2: upgrading a version-1 database, idempotence, and which writes move the change counter.</summary>
public sealed class SqliteEdgeStoreSchema2Tests : IAsyncLifetime
{
    private static readonly string[] Schema2Tables = ["apps", "audit_events", "policies", "signing_keys", "user_sessions"];

    private static readonly string[] Schema1Tables = ["admin_tokens", "change_counter", "routes", "schema_migrations", "service_tokens", "tunnels"];

    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync();

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public void Migration2_FollowsMigration1()
    {
        Assert.Equal([1, 2], SqliteMigrations.All.Select(m => m.Version));
        Assert.Equal("applications, policies, sessions, signing keys, audit", SqliteMigrations.All[1].Name);
        Assert.Equal(2, SqliteMigrations.LatestVersion);
    }

    [Fact]
    public async Task Open_AVersion1DatabaseWithData_UpgradesIt_KeepingEveryRow()
    {
        // 1. A database exactly as a version-1 Drawbridge left it: its migration SQL only, and data.
        var path = _scope.Directory.Combine("v1", "edge.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tunnelId = Guid.NewGuid();
        var tokenId = Guid.NewGuid();
        var hash = StoreUnderTest.NewHash();
        await using (var v1 = await OpenRawAsync(path))
        {
            await ExecuteAsync(v1, """
                CREATE TABLE schema_migrations (
                    version    INTEGER NOT NULL PRIMARY KEY,
                    name       TEXT    NOT NULL,
                    applied_at INTEGER NOT NULL
                );
                """);
            await ExecuteAsync(v1, SqliteMigrations.All.Single(m => m.Version == 1).Sql);
            await ExecuteAsync(v1, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'tunnels, routes, service tokens, admin tokens', 1);");
            await ExecuteAsync(
                v1,
                $"INSERT INTO tunnels (id, name, secret_hash, created_at, deleted_at) VALUES ('{tunnelId:D}', 'db-prod', '{hash}', 1717243200000, NULL);");
            await ExecuteAsync(v1, $"INSERT INTO routes (hostname, tunnel_id, created_at) VALUES ('db.example.com', '{tunnelId:D}', 1717243200001);");
            await ExecuteAsync(
                v1,
                "INSERT INTO service_tokens (id, name, client_id, secret_hash, created_at, revoked_at) "
                + $"VALUES ('{tokenId:D}', 'ci', '0123456789abcdef0123456789abcdef.access', '{hash}', 1717243200002, NULL);");
            await ExecuteAsync(v1, "UPDATE change_counter SET value = 7 WHERE id = 1;");
            Assert.Equal(Schema1Tables, await TableNamesAsync(v1));
        }

        // 2. Opened by this code: migration 2 runs once, and nothing of version 1 is lost.
        await using (var store = await SqliteEdgeStore.OpenAsync(path, _scope.Time, NullLogger.Instance, Token))
        {
            Assert.Equal(
                new Tunnel(tunnelId, "db-prod", hash, DateTimeOffset.FromUnixTimeMilliseconds(1717243200000), null),
                await store.GetTunnelAsync(tunnelId, Token));
            Assert.Equal(
                [new Route("db.example.com", tunnelId, DateTimeOffset.FromUnixTimeMilliseconds(1717243200001))],
                await store.ListRoutesAsync(tunnelId: null, Token));
            Assert.Equal(tokenId, (await store.FindServiceTokenByClientIdAsync("0123456789abcdef0123456789abcdef.access", Token))!.Id);
            Assert.Equal(7, await store.GetChangeCounterAsync(Token));

            // The new tables work, beside the old rows.
            await store.CreateAppAsync("db.example.com", TimeSpan.FromHours(24), Token);
            await store.AddPolicyAsync("db.example.com", "everyone", "allow", 1, ["everyone"], [], [], Token);
            Assert.Equal(9, await store.GetChangeCounterAsync(Token));
        }

        await using var upgraded = await OpenRawAsync(path);
        Assert.Equal(Schema1Tables.Concat(Schema2Tables).Order(StringComparer.Ordinal), await TableNamesAsync(upgraded));
        Assert.Equal([1L, 2L], await VersionsAsync(upgraded));
    }

    [Fact]
    public async Task ApplyMigrations_Twice_ChangesNothing_AndKeepsSchema2Data()
    {
        await Store.CreateAppAsync("db.example.com", TimeSpan.FromHours(24), Token);
        var policy = await Store.AddPolicyAsync("db.example.com", "p", "allow", 1, ["everyone"], [], [], Token);
        await Store.AppendAuditAsync(new AuditEvent(0, _scope.Time.GetUtcNow(), "admin", "root", null, "ok", null, null, null, null, null, null), Token);
        await using var connection = await OpenRawAsync(_scope.DatabasePath);
        var schemaBefore = await SchemaAsync(connection);

        var found = await SqliteMigrations.ApplyAsync(connection, _scope.DatabasePath, _scope.Time, NullLogger.Instance, Token);
        var foundAgain = await SqliteMigrations.ApplyAsync(connection, _scope.DatabasePath, _scope.Time, NullLogger.Instance, Token);
        await _scope.ReopenAsync();

        Assert.Equal(2, found);
        Assert.Equal(2, foundAgain);
        Assert.Equal(schemaBefore, await SchemaAsync(connection));
        Assert.Equal([1L, 2L], await VersionsAsync(connection));
        Assert.Equal([policy], await _scope.Store.ListPoliciesAsync(null, Token));
        Assert.Single(await _scope.Store.ListAuditAsync(null, null, null, null, 10, Token));
    }

    private async Task<SqliteConnection> OpenRawAsync(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Token);
        return connection;
    }

    private async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Token);
    }

    private async Task<List<string>> TableNamesAsync(SqliteConnection connection) =>
        await ColumnAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;", r => r.GetString(0));

    private async Task<List<long>> VersionsAsync(SqliteConnection connection) =>
        await ColumnAsync(connection, "SELECT version FROM schema_migrations ORDER BY version;", r => r.GetInt64(0));

    private async Task<List<string>> SchemaAsync(SqliteConnection connection) =>
        await ColumnAsync(connection, "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name;", r => r.GetString(0));

    private Task<List<T>> ColumnAsync<T>(SqliteConnection connection, string sql, Func<System.Data.Common.DbDataReader, T> read) =>
        StoreUnderTest.ColumnAsync(connection, sql, read, Token);
}
