using System.Data.Common;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// <see cref="IEdgeStore"/> in SQL that SQLite and PostgreSQL run alike: ids are TEXT (a
/// UUID's "D" form), times are 64-bit integer milliseconds since the Unix epoch (UTC), and every
/// value is a parameter. Each call opens a (pooled) connection; each change runs in one write
/// transaction of the engine (<see cref="IStoreDatabase.BeginWriteAsync"/>) that also bumps the
/// change counter. What differs between engines is behind <see cref="IStoreDatabase"/>.
/// </summary>
internal sealed partial class SqlEdgeStore : IEdgeStore
{
    private readonly IStoreDatabase _database;
    private readonly TimeProvider _time;

    public SqlEdgeStore(IStoreDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    /// <summary>Where the data lives: a file path, or a PostgreSQL URL without its password.</summary>
    public string Location => _database.Location;

    public async Task<long> GetChangeCounterAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, null, "SELECT value FROM change_counter WHERE id = 1;", cancellationToken));
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    internal static async Task ExecuteAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters) =>
        await ExecuteCountAsync(connection, transaction, sql, cancellationToken, parameters);

    internal static async Task<int> ExecuteCountAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<object?> ScalarAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<List<T>> QueryAsync<T>(
        DbConnection connection,
        DbTransaction? transaction,
        string sql,
        Func<DbDataReader, T> read,
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
    /// Runs <paramref name="work"/> in the engine's write transaction (so check-then-insert
    /// cannot race another writer) and bumps the change counter when the work says it changed
    /// something. The bump commits with the change, so a reader that sees the new counter
    /// also sees the change.
    /// </summary>
    private async Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, Task<(T Result, bool Changed)>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await _database.BeginWriteAsync(connection, cancellationToken);
        var (result, changed) = await work(connection, transaction);
        if (changed)
        {
            await ExecuteAsync(connection, transaction, "UPDATE change_counter SET value = value + 1 WHERE id = 1;", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _database.OpenConnectionAsync(cancellationToken);

    /// <summary>Now, to the millisecond we store, so what a method returns equals what a later read returns.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    private static DbCommand Command(
        DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = ToDatabase(value);
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>
    /// Ids as TEXT, times as integer ms: both engines bind and compare these alike (a Guid would
    /// be a BLOB in SQLite and a uuid in PostgreSQL, which need different SQL).
    /// </summary>
    private static object ToDatabase(object? value) => value switch
    {
        null => DBNull.Value,
        Guid id => id.ToString("D"),
        DateTimeOffset time => time.ToUnixTimeMilliseconds(),
        _ => value,
    };

    private static Guid ReadId(DbDataReader reader, int ordinal) => Guid.ParseExact(reader.GetString(ordinal), "D");

    private static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static DateTimeOffset? ReadOptionalTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);
}
