using System.Data.Common;
using System.Security.Cryptography;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string ServiceTokenColumns = "id, name, client_id, secret_hash, created_at, revoked_at";
    private const string AdminTokenColumns = "id, name, token_hash, created_at";

    /// <summary>
    /// The suffix <c>cloudflared</c> users know from Cloudflare's client ids; the random part is
    /// 128 bits so ids never collide and cannot be enumerated.
    /// </summary>
    private const string ClientIdSuffix = ".access";

    public async Task<ServiceToken> CreateServiceTokenAsync(string name, string secretHash, CancellationToken cancellationToken)
    {
        StoreInputRules.Name(name);
        StoreInputRules.Hash(secretHash, "secretHash");
        var token = new ServiceToken(
            Guid.NewGuid(), name, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + ClientIdSuffix, secretHash, Now(), null);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO service_tokens (id, name, client_id, secret_hash, created_at, revoked_at) "
                    + "VALUES (@id, @name, @client, @hash, @created, NULL);",
                    cancellationToken,
                    ("@id", token.Id),
                    ("@name", token.Name),
                    ("@client", token.ClientId),
                    ("@hash", token.SecretHash),
                    ("@created", token.CreatedAt));
                return (token, true);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<ServiceToken>> ListServiceTokensAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await QueryAsync(
            connection, null, $"SELECT {ServiceTokenColumns} FROM service_tokens ORDER BY created_at, name;", ReadServiceToken, cancellationToken);
    }

    public async Task<ServiceToken?> FindServiceTokenByClientIdAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await QueryAsync(
            connection,
            null,
            $"SELECT {ServiceTokenColumns} FROM service_tokens WHERE client_id = @client;",
            ReadServiceToken,
            cancellationToken,
            ("@client", clientId));
        return rows.SingleOrDefault();
    }

    public Task<bool> RevokeServiceTokenAsync(Guid id, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var revoked = await ExecuteCountAsync(
                    connection,
                    transaction,
                    "UPDATE service_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL;",
                    cancellationToken,
                    ("@now", Now()),
                    ("@id", id));
                return (revoked > 0, revoked > 0);
            },
            cancellationToken);

    public async Task<AdminToken> CreateAdminTokenAsync(string name, string tokenHash, CancellationToken cancellationToken)
    {
        StoreInputRules.Name(name);
        StoreInputRules.Hash(tokenHash, "tokenHash");
        var token = new AdminToken(Guid.NewGuid(), name, tokenHash, Now());
        return await WriteAsync(
            async (connection, transaction) =>
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES (@id, @name, @hash, @created);",
                    cancellationToken,
                    ("@id", token.Id),
                    ("@name", token.Name),
                    ("@hash", token.TokenHash),
                    ("@created", token.CreatedAt));
                return (token, true);
            },
            cancellationToken);
    }

    public async Task<AdminToken?> FindAdminTokenAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await QueryAsync(
            connection, null, $"SELECT {AdminTokenColumns} FROM admin_tokens WHERE id = @id;", ReadAdminToken, cancellationToken, ("@id", id));
        return rows.SingleOrDefault();
    }

    public async Task<IReadOnlyList<AdminToken>> ListAdminTokensAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await QueryAsync(
            connection, null, $"SELECT {AdminTokenColumns} FROM admin_tokens ORDER BY created_at, name;", ReadAdminToken, cancellationToken);
    }

    public Task<bool> DeleteAdminTokenAsync(Guid id, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var deleted = await ExecuteCountAsync(
                    connection, transaction, "DELETE FROM admin_tokens WHERE id = @id;", cancellationToken, ("@id", id));
                return (deleted > 0, deleted > 0);
            },
            cancellationToken);

    private static ServiceToken ReadServiceToken(DbDataReader reader) => new(
        ReadId(reader, 0), reader.GetString(1), reader.GetString(2), reader.GetString(3), ReadTime(reader, 4), ReadOptionalTime(reader, 5));

    private static AdminToken ReadAdminToken(DbDataReader reader) => new(
        ReadId(reader, 0), reader.GetString(1), reader.GetString(2), ReadTime(reader, 3));
}
