using System.Data.Common;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string AppColumns = "hostname, session_duration_ms, created_at";

    public async Task<App> CreateAppAsync(string hostname, TimeSpan sessionDuration, CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(hostname);
        var duration = StoreInputRules.SessionDuration(sessionDuration);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                if (await GetAppAsync(connection, transaction, normalized, cancellationToken) is not null)
                {
                    throw new StoreConflictException($"An app for {normalized} already exists: update it, or delete it first.");
                }

                var app = new App(normalized, duration, Now());
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO apps (hostname, session_duration_ms, created_at) VALUES (@hostname, @duration, @created);",
                    cancellationToken,
                    ("@hostname", app.Hostname),
                    ("@duration", (long)app.SessionDuration.TotalMilliseconds),
                    ("@created", app.CreatedAt));
                return (app, true);
            },
            cancellationToken);
    }

    public async Task<App?> GetAppAsync(string hostname, CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(hostname);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await GetAppAsync(connection, null, normalized, cancellationToken);
    }

    public async Task<IReadOnlyList<App>> ListAppsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await QueryAsync(connection, null, $"SELECT {AppColumns} FROM apps ORDER BY hostname;", ReadApp, cancellationToken);
    }

    public async Task<App> UpdateAppAsync(string hostname, TimeSpan sessionDuration, CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(hostname);
        var duration = StoreInputRules.SessionDuration(sessionDuration);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var updated = await ExecuteCountAsync(
                    connection,
                    transaction,
                    "UPDATE apps SET session_duration_ms = @duration WHERE hostname = @hostname;",
                    cancellationToken,
                    ("@duration", (long)duration.TotalMilliseconds),
                    ("@hostname", normalized));
                if (updated == 0)
                {
                    throw new StoreNotFoundException($"No app for {normalized}: create it first.");
                }

                return ((await GetAppAsync(connection, transaction, normalized, cancellationToken))!, true);
            },
            cancellationToken);
    }

    public async Task<bool> DeleteAppAsync(string hostname, CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(hostname);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                // Policies first: they reference the app. An app's policies mean nothing without it.
                await ExecuteAsync(
                    connection, transaction, "DELETE FROM policies WHERE app_hostname = @hostname;", cancellationToken, ("@hostname", normalized));
                var deleted = await ExecuteCountAsync(
                    connection, transaction, "DELETE FROM apps WHERE hostname = @hostname;", cancellationToken, ("@hostname", normalized));
                return (deleted > 0, deleted > 0);
            },
            cancellationToken);
    }

    private static async Task<App?> GetAppAsync(
        DbConnection connection, DbTransaction? transaction, string normalizedHostname, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection,
            transaction,
            $"SELECT {AppColumns} FROM apps WHERE hostname = @hostname;",
            ReadApp,
            cancellationToken,
            ("@hostname", normalizedHostname));
        return rows.SingleOrDefault();
    }

    private static App ReadApp(DbDataReader reader) =>
        new(reader.GetString(0), TimeSpan.FromMilliseconds(reader.GetInt64(1)), ReadTime(reader, 2));
}
