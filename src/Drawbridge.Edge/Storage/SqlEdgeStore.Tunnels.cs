using System.Data.Common;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string TunnelColumns = "id, name, secret_hash, created_at, deleted_at";

    public async Task<Tunnel> CreateTunnelAsync(string name, string secretHash, CancellationToken cancellationToken)
    {
        StoreInputRules.Name(name);
        StoreInputRules.Hash(secretHash, "secretHash");
        return await WriteAsync(
            async (connection, transaction) =>
            {
                if (await FindLiveTunnelAsync(connection, transaction, name, cancellationToken) is { } existing)
                {
                    throw new StoreConflictException(
                        $"A tunnel named \"{name}\" already exists (id {existing.Id}): pick another name, or delete that tunnel first.");
                }

                var tunnel = new Tunnel(Guid.NewGuid(), name, secretHash, Now(), null);
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO tunnels (id, name, secret_hash, created_at, deleted_at) VALUES (@id, @name, @hash, @created, NULL);",
                    cancellationToken,
                    ("@id", tunnel.Id),
                    ("@name", tunnel.Name),
                    ("@hash", tunnel.SecretHash),
                    ("@created", tunnel.CreatedAt));
                return (tunnel, true);
            },
            cancellationToken);
    }

    public async Task<Tunnel?> GetTunnelAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await GetTunnelAsync(connection, null, id, cancellationToken);
    }

    public async Task<Tunnel?> FindTunnelByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await FindLiveTunnelAsync(connection, null, name, cancellationToken);
    }

    public async Task<IReadOnlyList<Tunnel>> ListTunnelsAsync(bool includeDeleted, CancellationToken cancellationToken)
    {
        var filter = includeDeleted ? "" : "WHERE deleted_at IS NULL";
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await QueryAsync(
            connection, null, $"SELECT {TunnelColumns} FROM tunnels {filter} ORDER BY created_at, name;", ReadTunnel, cancellationToken);
    }

    public Task<bool> DeleteTunnelAsync(Guid id, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var deleted = await ExecuteCountAsync(
                    connection,
                    transaction,
                    "UPDATE tunnels SET deleted_at = @now WHERE id = @id AND deleted_at IS NULL;",
                    cancellationToken,
                    ("@now", Now()),
                    ("@id", id));
                if (deleted == 0)
                {
                    return (false, false);
                }

                // A deleted tunnel serves nothing: free its hostnames for other tunnels.
                await ExecuteAsync(connection, transaction, "DELETE FROM routes WHERE tunnel_id = @id;", cancellationToken, ("@id", id));
                return (true, true);
            },
            cancellationToken);

    public async Task<Tunnel> RotateTunnelSecretAsync(Guid id, string newSecretHash, CancellationToken cancellationToken)
    {
        StoreInputRules.Hash(newSecretHash, "newSecretHash");
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var updated = await ExecuteCountAsync(
                    connection,
                    transaction,
                    "UPDATE tunnels SET secret_hash = @hash WHERE id = @id AND deleted_at IS NULL;",
                    cancellationToken,
                    ("@hash", newSecretHash),
                    ("@id", id));
                if (updated == 0)
                {
                    throw new StoreNotFoundException($"No tunnel with id {id} (or it was deleted): list tunnels to find the right id.");
                }

                return ((await GetTunnelAsync(connection, transaction, id, cancellationToken))!, true);
            },
            cancellationToken);
    }

    private static async Task<Tunnel?> GetTunnelAsync(
        DbConnection connection, DbTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection, transaction, $"SELECT {TunnelColumns} FROM tunnels WHERE id = @id;", ReadTunnel, cancellationToken, ("@id", id));
        return rows.SingleOrDefault();
    }

    private static async Task<Tunnel?> FindLiveTunnelAsync(
        DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection,
            transaction,
            $"SELECT {TunnelColumns} FROM tunnels WHERE name = @name AND deleted_at IS NULL;",
            ReadTunnel,
            cancellationToken,
            ("@name", name));
        return rows.SingleOrDefault();
    }

    private static Tunnel ReadTunnel(DbDataReader reader) => new(
        ReadId(reader, 0), reader.GetString(1), reader.GetString(2), ReadTime(reader, 3), ReadOptionalTime(reader, 4));
}
