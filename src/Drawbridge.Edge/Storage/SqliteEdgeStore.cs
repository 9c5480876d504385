using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// The edge store in one SQLite file in the data directory: the embedded default. The SQL is
/// <see cref="SqlEdgeStore"/>'s; what is SQLite's is here: the file and its mode, WAL, the busy
/// timeout, and IMMEDIATE write transactions.
/// </summary>
internal sealed class SqliteEdgeStore : IStoreDatabase
{
    /// <summary>
    /// How long a statement waits for another writer's lock before failing. Writes here are
    /// single-row admin changes that take microseconds, so 5 s only ever elapses when something
    /// is wrong (a stuck process holding the file).
    /// </summary>
    private const int BusyTimeoutMilliseconds = 5000;

    /// <summary>SQLITE_NOTADB: the file exists but is not a SQLite database.</summary>
    private const int SqliteNotADatabase = 26;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _connectionString;

    private SqliteEdgeStore(string databasePath, string connectionString)
    {
        Location = databasePath;
        _connectionString = connectionString;
    }

    /// <summary>The database file's full path.</summary>
    public string Location { get; }

    /// <summary>
    /// Opens (creating it with mode 0600 if needed) the database at <paramref name="databasePath"/>
    /// and applies pending migrations. Throws <see cref="StoreSchemaException"/> for a database
    /// written by a newer Drawbridge.
    /// </summary>
    public static async Task<SqlEdgeStore> OpenAsync(
        string databasePath, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(databasePath);
        CreateOwnerOnlyFile(fullPath);

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWrite,
            ForeignKeys = true,
            Pooling = true,
        }.ToString();

        var database = new SqliteEdgeStore(fullPath, connectionString);
        try
        {
            await using var connection = (SqliteConnection)await database.OpenConnectionAsync(cancellationToken);

            // WAL lets the edge read its snapshot while an admin call writes. The mode is stored
            // in the file, so setting it once here covers every later connection.
            await SqlEdgeStore.ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
            await SqliteMigrations.ApplyAsync(connection, fullPath, time, logger, cancellationToken);
        }
        catch (Exception ex)
        {
            await database.DisposeAsync();
            if (ex is SqliteException { SqliteErrorCode: SqliteNotADatabase })
            {
                throw new StoreSchemaException(
                    $"{fullPath} is not a SQLite database: point the edge at its own data directory, or move that file away.", ex);
            }

            throw;
        }

        StorageLog.StoreOpened(logger, fullPath, SqliteMigrations.LatestVersion);
        return new SqlEdgeStore(database, time);
    }

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file (and its WAL) open; release them with the store.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await SqlEdgeStore.ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>IMMEDIATE: SQLite's write lock from the start, not at the first write.</summary>
    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <summary>
    /// Creates the database file with mode 0600 before SQLite touches it: SQLite would create it
    /// with the process umask (often world-readable), and its WAL and shared-memory files copy
    /// the database file's mode.
    /// </summary>
    private static void CreateOwnerOnlyFile(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
            }
        }

        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var file = new FileStream(path, options);
    }
}
