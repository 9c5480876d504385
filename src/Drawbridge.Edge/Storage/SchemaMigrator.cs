using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// Applies an engine's <see cref="SchemaMigration"/> steps: read the version, apply the missing
/// steps, record each. The caller opens the transaction and takes the engine's lock first, so
/// two edges starting at once migrate one after the other; the caller commits, so all steps
/// land or none do.
/// </summary>
internal static class SchemaMigrator
{
    /// <summary>
    /// The version table, in SQL both engines read alike: BIGINT is a 64-bit integer in
    /// PostgreSQL and has INTEGER affinity in SQLite (where version 1 created it with INTEGER,
    /// which also holds 64 bits).
    /// </summary>
    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at BIGINT  NOT NULL
        );
        """;

    /// <summary>
    /// Brings the schema to the last of <paramref name="migrations"/> inside
    /// <paramref name="transaction"/> and returns the version it found. A database from a newer
    /// Drawbridge is refused untouched, with a <see cref="StoreSchemaException"/>.
    /// </summary>
    /// <param name="location">The database as the operator knows it (never with a password), for messages.</param>
    public static async Task<int> ApplyAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<SchemaMigration> migrations,
        string location,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var latest = migrations[^1].Version;
        await SqlEdgeStore.ExecuteAsync(connection, transaction, CreateVersionTable, cancellationToken);
        var found = Convert.ToInt32(
            await SqlEdgeStore.ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken));
        if (found > latest)
        {
            throw new StoreSchemaException(
                $"The edge database {location} has schema version {found}, but this Drawbridge knows versions up to {latest}: "
                + "it was written by a newer Drawbridge. Run that version (or newer), or restore a backup taken before the upgrade.");
        }

        foreach (var migration in migrations.Where(m => m.Version > found))
        {
            await SqlEdgeStore.ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await SqlEdgeStore.ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at);",
                cancellationToken,
                ("@version", migration.Version),
                ("@name", migration.Name),
                ("@applied_at", time.GetUtcNow().ToUnixTimeMilliseconds()));
            StorageLog.MigrationApplied(logger, migration.Version, migration.Name, location);
        }

        return found;
    }
}
