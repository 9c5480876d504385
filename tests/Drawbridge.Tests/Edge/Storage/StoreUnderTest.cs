using System.Data.Common;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>
/// A real store on a fake clock, fresh for one test: SQLite in a temporary directory, or a new
/// database on the test run's <see cref="PostgresServer"/>. The contract tests get one from
/// their engine's subclass and cannot tell which it is.
/// </summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    /// <summary>Every store call in a test finishes in milliseconds; this bounds a hung one.</summary>
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private readonly PostgresServer? _server;
    private readonly string? _postgresDatabase;

    private StoreUnderTest(TempDirectory directory, FakeTimeProvider time, PostgresServer? server, string? postgresDatabase)
    {
        Directory = directory;
        Time = time;
        DatabasePath = directory.Combine("data", "edge.db");
        _server = server;
        _postgresDatabase = postgresDatabase;
    }

    public TempDirectory Directory { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>The SQLite file (unused on PostgreSQL).</summary>
    public string DatabasePath { get; }

    /// <summary>The PostgreSQL connection string of this test's database (null on SQLite).</summary>
    public string? PostgresConnectionString => _postgresDatabase is null ? null : _server!.ConnectionString(_postgresDatabase);

    public SqlEdgeStore Store { get; private set; } = null!;

    public CancellationToken Token => _timeout.Token;

    /// <summary>A SQLite store.</summary>
    public static Task<StoreUnderTest> OpenAsync() => OpenAsync(server: null);

    /// <summary>A store in a new database of <paramref name="server"/>, or SQLite when it is null.</summary>
    public static async Task<StoreUnderTest> OpenAsync(PostgresServer? server)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var directory = TempDirectory.Create();
        var database = server is null ? null : await server.CreateDatabaseAsync(CancellationToken.None);
        var scope = new StoreUnderTest(directory, time, server, database);
        await scope.ReopenAsync();
        return scope;
    }

    public static string NewHash() => SecretHash.Hash(SecretHash.NewSecret());

    /// <summary>Closes the store and opens the same database again, as a restarted edge would.</summary>
    public async Task ReopenAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        Store = await OpenAnotherAsync();
    }

    /// <summary>A second store on the same database, as a second edge (or a restarted one) would open it.</summary>
    public Task<SqlEdgeStore> OpenAnotherAsync() =>
        PostgresConnectionString is { } connectionString
            ? PostgresEdgeStore.OpenAsync(connectionString, Time, NullLogger.Instance, Token)
            : SqliteEdgeStore.OpenAsync(DatabasePath, Time, NullLogger.Instance, Token);

    /// <summary>The database's tables, by name, read behind the store's back.</summary>
    public Task<List<string>> TableNamesAsync() =>
        ColumnAsync(
            PostgresConnectionString is null
                ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"
                : "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1;",
            reader => reader.GetString(0));

    /// <summary>One value, read behind the store's back (SQL that both engines accept).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Token);
    }

    public async Task<List<T>> ColumnAsync<T>(string sql, Func<DbDataReader, T> read)
    {
        await using var connection = await OpenRawAsync();
        return await ColumnAsync(connection, sql, read, Token);
    }

    /// <summary>The first column of every row <paramref name="sql"/> returns on <paramref name="connection"/>.</summary>
    public static async Task<List<T>> ColumnAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(read(reader));
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        if (_postgresDatabase is not null)
        {
            await _server!.DropDatabaseAsync(_postgresDatabase, CancellationToken.None);
        }

        Directory.Dispose();
        _timeout.Dispose();
    }

    private async Task<DbConnection> OpenRawAsync()
    {
        DbConnection connection = PostgresConnectionString is { } connectionString
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Token);
        return connection;
    }
}
