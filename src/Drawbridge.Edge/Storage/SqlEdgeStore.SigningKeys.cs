using System.Data.Common;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string SigningKeyColumns = "key_id, algorithm, private_key_pkcs8, created_at, retired_at";

    // The private key is stored as-is, beside the CA key, in the owner-only (0600) database file;
    // it is never logged, and no message here quotes it. Key changes move the change counter:
    // every edge of a cluster must publish a new key in its JWKS before tokens signed with it arrive.

    public async Task<StoredSigningKey> AddSigningKeyAsync(string keyId, string algorithm, string privateKeyPkcs8, CancellationToken cancellationToken)
    {
        var key = new StoredSigningKey(
            StoreInputRules.KeyId(keyId),
            StoreInputRules.SigningAlgorithm(algorithm),
            StoreInputRules.PrivateKey(privateKeyPkcs8),
            Now(),
            null);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var taken = Convert.ToInt64(await ScalarAsync(
                    connection, transaction, "SELECT COUNT(*) FROM signing_keys WHERE key_id = @kid;", cancellationToken, ("@kid", key.KeyId)));
                if (taken > 0)
                {
                    throw new StoreConflictException($"A signing key with id \"{key.KeyId}\" already exists: key ids are never reused, pick a new one.");
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO signing_keys ({SigningKeyColumns}) VALUES (@kid, @alg, @key, @created, NULL);",
                    cancellationToken,
                    ("@kid", key.KeyId),
                    ("@alg", key.Algorithm),
                    ("@key", key.PrivateKeyPkcs8),
                    ("@created", key.CreatedAt));
                return (key, true);
            },
            cancellationToken);
    }

    /// <summary>All keys, retired ones included, oldest first.</summary>
    public async Task<IReadOnlyList<StoredSigningKey>> ListSigningKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await QueryAsync(
            connection, null, $"SELECT {SigningKeyColumns} FROM signing_keys ORDER BY created_at, key_id;", ReadSigningKey, cancellationToken);
    }

    public Task<bool> RetireSigningKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        StoreInputRules.KeyId(keyId);
        return WriteAsync(
            async (connection, transaction) =>
            {
                var retired = await ExecuteCountAsync(
                    connection,
                    transaction,
                    "UPDATE signing_keys SET retired_at = @at WHERE key_id = @kid AND retired_at IS NULL;",
                    cancellationToken,
                    ("@at", StoreInputRules.Millisecond(at)),
                    ("@kid", keyId));
                return (retired > 0, retired > 0);
            },
            cancellationToken);
    }

    public Task<bool> DeleteSigningKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        StoreInputRules.KeyId(keyId);
        return WriteAsync(
            async (connection, transaction) =>
            {
                var deleted = await ExecuteCountAsync(
                    connection, transaction, "DELETE FROM signing_keys WHERE key_id = @kid;", cancellationToken, ("@kid", keyId));
                return (deleted > 0, deleted > 0);
            },
            cancellationToken);
    }

    private static StoredSigningKey ReadSigningKey(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadTime(reader, 3), ReadOptionalTime(reader, 4));
}
