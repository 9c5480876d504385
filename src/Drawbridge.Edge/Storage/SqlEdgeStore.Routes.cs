using System.Data.Common;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    public async Task<Route> AddRouteAsync(string hostname, Guid tunnelId, CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(hostname);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var tunnel = await GetTunnelAsync(connection, transaction, tunnelId, cancellationToken);
                if (tunnel is null || tunnel.DeletedAt is not null)
                {
                    throw new StoreNotFoundException(
                        $"No tunnel with id {tunnelId} (or it was deleted): create the tunnel before routing {normalized} to it.");
                }

                var existing = (await QueryAsync(
                    connection,
                    transaction,
                    "SELECT hostname, tunnel_id, created_at FROM routes WHERE hostname = @hostname;",
                    ReadRoute,
                    cancellationToken,
                    ("@hostname", normalized))).SingleOrDefault();
                if (existing is not null)
                {
                    if (existing.TunnelId == tunnelId)
                    {
                        return (existing, false);
                    }

                    var owner = await GetTunnelAsync(connection, transaction, existing.TunnelId, cancellationToken);
                    throw new StoreConflictException(
                        $"{normalized} is already routed to tunnel \"{owner?.Name}\" (id {existing.TunnelId}): remove that route first.");
                }

                var route = new Route(normalized, tunnelId, Now());
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO routes (hostname, tunnel_id, created_at) VALUES (@hostname, @tunnel, @created);",
                    cancellationToken,
                    ("@hostname", route.Hostname),
                    ("@tunnel", route.TunnelId),
                    ("@created", route.CreatedAt));
                return (route, true);
            },
            cancellationToken);
    }

    public async Task<bool> RemoveRouteAsync(string hostname, CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(hostname);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var removed = await ExecuteCountAsync(
                    connection, transaction, "DELETE FROM routes WHERE hostname = @hostname;", cancellationToken, ("@hostname", normalized));
                return (removed > 0, removed > 0);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<Route>> ListRoutesAsync(Guid? tunnelId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return tunnelId is { } id
            ? await QueryAsync(
                connection,
                null,
                "SELECT hostname, tunnel_id, created_at FROM routes WHERE tunnel_id = @tunnel ORDER BY hostname;",
                ReadRoute,
                cancellationToken,
                ("@tunnel", id))
            : await QueryAsync(
                connection, null, "SELECT hostname, tunnel_id, created_at FROM routes ORDER BY hostname;", ReadRoute, cancellationToken);
    }

    private static Route ReadRoute(DbDataReader reader) => new(reader.GetString(0), ReadId(reader, 1), ReadTime(reader, 2));
}
