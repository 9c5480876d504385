using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// The edge store in a PostgreSQL database, which several edges can share (a cluster). The SQL
/// is <see cref="SqlEdgeStore"/>'s; what is PostgreSQL's is here: the connection pool (one
/// <see cref="NpgsqlDataSource"/>), the advisory locks that give writes and migrations
/// SQLite's one-writer-at-a-time semantics, and clear errors for a server that refuses us.
/// </summary>
internal sealed class PostgresEdgeStore : IStoreDatabase
{
    /// <summary>
    /// The advisory lock every write transaction takes first: an arbitrary constant (ASCII
    /// "DrwbWrit"). Writes are single-row admin and session changes and audit appends that take
    /// milliseconds, so serialising them costs little, and it makes "check, then insert" as safe
    /// as under SQLite's IMMEDIATE transactions, across every edge of the cluster.
    /// </summary>
    private const long WriteLockKey = 0x4472776257726974;

    // SQLSTATEs of a refused login (PostgreSQL manual, appendix A).
    private const string InvalidPassword = "28P01";
    private const string InvalidAuthorization = "28000";
    private const string InvalidCatalogName = "3D000";

    private readonly NpgsqlDataSource _dataSource;

    private PostgresEdgeStore(NpgsqlDataSource dataSource, string location)
    {
        _dataSource = dataSource;
        Location = location;
    }

    /// <summary><c>postgres://user@host:port/database</c>: never the password.</summary>
    public string Location { get; }

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (Npgsql key/value form, see
    /// <see cref="StoreLocation"/>) and applies pending migrations. Throws
    /// <see cref="StoreConnectionException"/> when the server cannot be reached or refuses the
    /// login, and <see cref="StoreSchemaException"/> for a database written by a newer Drawbridge.
    /// </summary>
    public static async Task<SqlEdgeStore> OpenAsync(
        string connectionString, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var location = Describe(builder);
        var database = new PostgresEdgeStore(NpgsqlDataSource.Create(builder), location);
        try
        {
            await using var connection = await database._dataSource.OpenConnectionAsync(cancellationToken);
            await PostgresMigrations.ApplyAsync(connection, location, time, logger, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException)
        {
            await database.DisposeAsync();
            throw new StoreConnectionException($"Could not open the edge database {location}: {Explain(ex, builder)}", ex);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }

        StorageLog.StoreOpened(logger, location, PostgresMigrations.LatestVersion);
        return new SqlEdgeStore(database, time);
    }

    /// <summary>How the operator wrote it, minus the password: <c>postgres://user@host:port/database</c>.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        var host = builder.Host is { } h && h.Contains(':', StringComparison.Ordinal) && !h.Contains(',', StringComparison.Ordinal) ? $"[{h}]" : builder.Host;
        var user = string.IsNullOrEmpty(builder.Username) ? "" : Uri.EscapeDataString(builder.Username) + "@";
        return $"postgres://{user}{host}:{builder.Port}/{Uri.EscapeDataString(builder.Database ?? "")}";
    }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await SqlEdgeStore.ExecuteAsync(
                connection, transaction, "SELECT pg_advisory_xact_lock(@key);", cancellationToken, ("@key", WriteLockKey));
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>Closes the pool's connections.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>What went wrong and what to do; PostgreSQL's own words for anything else.</summary>
    private static string Explain(Exception ex, NpgsqlConnectionStringBuilder builder) => ex switch
    {
        PostgresException { SqlState: InvalidPassword } =>
            $"the server refused the password of user \"{builder.Username}\": check the user and password in --store (or the \"store\" setting).",
        PostgresException { SqlState: InvalidAuthorization } pg =>
            $"the server refused the login ({pg.MessageText}): check the user in --store, and pg_hba.conf on the server.",
        PostgresException { SqlState: InvalidCatalogName } =>
            $"the database \"{builder.Database}\" does not exist: create it (CREATE DATABASE) and grant the user access to it.",
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState}).",
        _ => $"{ex.GetBaseException().Message}: is PostgreSQL running there, and reachable from this host?",
    };
}
