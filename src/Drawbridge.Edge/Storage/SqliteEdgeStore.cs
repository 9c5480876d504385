using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// <see cref="IEdgeStore"/> in one SQLite file in the data directory: the embedded default.
/// Each call opens a pooled connection; each change runs in one IMMEDIATE transaction that
/// also bumps the change counter. The SQL itself is portable; what is SQLite's is here:
/// WAL, busy timeout, the file's mode and how values are bound.
/// </summary>
internal sealed partial class SqliteEdgeStore : IEdgeStore
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
    private readonly TimeProvider _time;

    private SqliteEdgeStore(string databasePath, string connectionString, TimeProvider time)
    {
        DatabasePath = databasePath;
        _connectionString = connectionString;
        _time = time;
    }

    public string DatabasePath { get; }

    /// <summary>
    /// Opens (creating it with mode 0600 if needed) the database at <paramref name="databasePath"/>
    /// and applies pending migrations. Throws <see cref="StoreSchemaException"/> for a database
    /// written by a newer Drawbridge.
    /// </summary>
    public static async Task<SqliteEdgeStore> OpenAsync(
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

        var store = new SqliteEdgeStore(fullPath, connectionString, time);
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken);

            // WAL lets the edge read its snapshot while an admin call writes. The mode is stored
            // in the file, so setting it once here covers every later connection.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
            await SqliteMigrations.ApplyAsync(connection, fullPath, time, logger, cancellationToken);
        }
        catch (Exception ex)
        {
            await store.DisposeAsync();
            if (ex is SqliteException { SqliteErrorCode: SqliteNotADatabase })
            {
                throw new StoreSchemaException(
                    $"{fullPath} is not a SQLite database: point the edge at its own data directory, or move that file away.", ex);
            }

            throw;
        }

        StorageLog.StoreOpened(logger, fullPath, SqliteMigrations.LatestVersion);
        return store;
    }

    public async Task<long> GetChangeCounterAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, null, "SELECT value FROM change_counter WHERE id = 1;", cancellationToken));
    }

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file (and its WAL) open; release them with the store.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    internal static async Task ExecuteAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<int> ExecuteCountAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<object?> ScalarAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<List<T>> QueryAsync<T>(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        Func<SqliteDataReader, T> read,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in an IMMEDIATE transaction (the write lock from the start,
    /// so check-then-insert cannot race another writer) and bumps the change counter when the
    /// work says it changed something.
    /// </summary>
    private async Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction, Task<(T Result, bool Changed)>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var (result, changed) = await work(connection, transaction);
        if (changed)
        {
            await ExecuteAsync(connection, transaction, "UPDATE change_counter SET value = value + 1 WHERE id = 1;", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Now, to the millisecond we store, so what a method returns equals what a later read returns.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    private static SqliteCommand Command(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, ToDatabase(value));
        }

        return command;
    }

    /// <summary>Ids as TEXT, times as INTEGER ms (see <see cref="SqliteMigrations"/>); SQLite would bind a Guid as a BLOB.</summary>
    private static object ToDatabase(object? value) => value switch
    {
        null => DBNull.Value,
        Guid id => id.ToString("D"),
        DateTimeOffset time => time.ToUnixTimeMilliseconds(),
        _ => value,
    };

    private static Guid ReadId(SqliteDataReader reader, int ordinal) => Guid.ParseExact(reader.GetString(ordinal), "D");

    private static DateTimeOffset ReadTime(SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static DateTimeOffset? ReadOptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

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
