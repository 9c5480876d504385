using System.Data.Common;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// What <see cref="SqlEdgeStore"/> needs from a database engine: connections, and a write
/// transaction that serialises writers. Everything else (the SQL, the rules, the change
/// counter) is shared, so both engines keep one contract. Implemented by
/// <see cref="SqliteEdgeStore"/> and <see cref="PostgresEdgeStore"/>.
/// </summary>
internal interface IStoreDatabase : IAsyncDisposable
{
    /// <summary>Where the data lives, for logs and error messages: a file path, or a URL without its password.</summary>
    string Location { get; }

    /// <summary>An open connection, ready for statements.</summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A transaction that holds the store's write lock from its first statement to its end, so
    /// "check, then insert" cannot race another writer (in this process or another edge).
    /// </summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);
}
