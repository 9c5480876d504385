using System.Data.Common;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string SessionColumns =
        "id, secret_hash, email, display_name, groups_json, login_method, client_address, created_at, expires_at, revoked_at, revoked_reason";

    // Sessions change the change counter like configuration does: the edge re-evaluates open
    // connections when it moves, which is how a revocation closes them (DESIGN.md "Live enforcement").

    public async Task<UserSession> CreateSessionAsync(
        string secretHash,
        string email,
        string? displayName,
        IReadOnlyList<string> groups,
        string loginMethod,
        string? clientAddress,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        var now = Now();
        var session = new UserSession(
            Guid.NewGuid(),
            StoreInputRules.Hash(secretHash, "secretHash"),
            StoreInputRules.Email(email),
            StoreInputRules.OptionalText(displayName, "displayName", StoreInputRules.MaxDisplayNameLength),
            StoreInputRules.Groups(groups),
            StoreInputRules.Text(loginMethod, "loginMethod", StoreInputRules.MaxLoginMethodLength),
            StoreInputRules.OptionalText(clientAddress, "clientAddress", StoreInputRules.MaxClientAddressLength),
            now,
            StoreInputRules.ExpiresAt(expiresAt, now),
            null,
            null);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO user_sessions ({SessionColumns}) VALUES "
                    + "(@id, @hash, @email, @display, @groups, @method, @address, @created, @expires, NULL, NULL);",
                    cancellationToken,
                    ("@id", session.Id),
                    ("@hash", session.SecretHash),
                    ("@email", session.Email),
                    ("@display", session.DisplayName),
                    ("@groups", StringListJson.Write(session.Groups)),
                    ("@method", session.LoginMethod),
                    ("@address", session.ClientAddress),
                    ("@created", session.CreatedAt),
                    ("@expires", session.ExpiresAt));
                return (session, true);
            },
            cancellationToken);
    }

    public async Task<UserSession?> GetSessionAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var rows = await QueryAsync(
            connection, null, $"SELECT {SessionColumns} FROM user_sessions WHERE id = @id;", ReadSession, cancellationToken, ("@id", id));
        return rows.SingleOrDefault();
    }

    public async Task<IReadOnlyList<UserSession>> ListSessionsAsync(bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return activeOnly
            ? await QueryAsync(
                connection,
                null,
                $"SELECT {SessionColumns} FROM user_sessions WHERE revoked_at IS NULL AND expires_at > @now ORDER BY created_at, id;",
                ReadSession,
                cancellationToken,
                ("@now", now))
            : await QueryAsync(
                connection, null, $"SELECT {SessionColumns} FROM user_sessions ORDER BY created_at, id;", ReadSession, cancellationToken);
    }

    public async Task<IReadOnlyList<Guid>> ListRevokedSessionIdsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        IReadOnlyList<UserSession> revoked = await QueryAsync(
            connection,
            null,
            $"SELECT {SessionColumns} FROM user_sessions WHERE revoked_at IS NOT NULL AND expires_at > @now ORDER BY created_at, id;",
            ReadSession,
            cancellationToken,
            ("@now", now));
        return [.. revoked.Select(s => s.Id)];
    }

    public async Task<bool> RevokeSessionAsync(Guid id, string? reason, CancellationToken cancellationToken)
    {
        StoreInputRules.OptionalText(reason, "reason", StoreInputRules.MaxReasonLength);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var revoked = await ExecuteCountAsync(
                    connection,
                    transaction,
                    "UPDATE user_sessions SET revoked_at = @now, revoked_reason = @reason WHERE id = @id AND revoked_at IS NULL;",
                    cancellationToken,
                    ("@now", Now()),
                    ("@reason", reason),
                    ("@id", id));
                return (revoked > 0, revoked > 0);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<Guid>> RevokeSessionsByEmailAsync(string email, string? reason, CancellationToken cancellationToken)
    {
        var normalized = StoreInputRules.Email(email);
        StoreInputRules.OptionalText(reason, "reason", StoreInputRules.MaxReasonLength);
        return await WriteAsync<IReadOnlyList<Guid>>(
            async (connection, transaction) =>
            {
                // Only the live ones: an expired session has already ended, and counting it would
                // overstate what "revoked N sessions" did. RETURNING gives exactly the rows this
                // statement changed, so the caller can close their connections and no others.
                var now = Now();
                List<Guid> revoked = await QueryAsync(
                    connection,
                    transaction,
                    "UPDATE user_sessions SET revoked_at = @now, revoked_reason = @reason "
                    + "WHERE email = @email AND revoked_at IS NULL AND expires_at > @now RETURNING id;",
                    reader => ReadId(reader, 0),
                    cancellationToken,
                    ("@now", now),
                    ("@reason", reason),
                    ("@email", normalized));
                return (revoked, revoked.Count > 0);
            },
            cancellationToken);
    }

    private static UserSession ReadSession(DbDataReader reader) => new(
        ReadId(reader, 0),
        reader.GetString(1),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        StringListJson.Read(reader.GetString(4), "user_sessions.groups_json"),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        ReadTime(reader, 7),
        ReadTime(reader, 8),
        ReadOptionalTime(reader, 9),
        reader.IsDBNull(10) ? null : reader.GetString(10));
}
