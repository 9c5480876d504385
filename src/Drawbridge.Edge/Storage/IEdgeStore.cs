namespace Drawbridge.Edge.Storage;

/// <summary>
/// The edge's durable state: tunnels, routes, service tokens, admin tokens (schema 1); apps,
/// their policies, sign-in sessions, token signing keys and the audit log (schema 2). Implemented by
/// <see cref="SqlEdgeStore"/> over SQLite (embedded default) or, for clusters, PostgreSQL; both
/// pass the same contract tests. Secrets never reach the store, only their SHA-256
/// (<see cref="Drawbridge.Protocol.Credentials.SecretHash"/>); the one exception is the token
/// signing keys, which the edge must be able to sign with (see <see cref="StoredSigningKey"/>).
/// </summary>
/// <remarks>
/// Errors: <see cref="StoreValidationException"/> for input that breaks a rule (the message
/// names the field), <see cref="StoreConflictException"/> for a name or hostname already taken,
/// <see cref="StoreNotFoundException"/> for a change to something that does not exist.
/// Lookups return null, and removals false, when there is nothing to find.
/// </remarks>
internal interface IEdgeStore : IAsyncDisposable
{
    /// <summary>Creates a tunnel. Names are unique among tunnels that are not deleted.</summary>
    Task<Tunnel> CreateTunnelAsync(string name, string secretHash, CancellationToken cancellationToken);

    /// <summary>The tunnel with this id, deleted or not.</summary>
    Task<Tunnel?> GetTunnelAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The live (not deleted) tunnel with this name.</summary>
    Task<Tunnel?> FindTunnelByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>Tunnels by creation time; deleted ones only when asked.</summary>
    Task<IReadOnlyList<Tunnel>> ListTunnelsAsync(bool includeDeleted, CancellationToken cancellationToken);

    /// <summary>Soft-deletes a tunnel and removes its routes; false when it is unknown or already deleted.</summary>
    Task<bool> DeleteTunnelAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Replaces a live tunnel's secret hash: links with the old secret stop authenticating.</summary>
    Task<Tunnel> RotateTunnelSecretAsync(Guid id, string newSecretHash, CancellationToken cancellationToken);

    /// <summary>
    /// Routes <paramref name="hostname"/> (normalised to lowercase) to a live tunnel. Adding a
    /// route the tunnel already has returns it unchanged; a hostname of another tunnel is a conflict.
    /// </summary>
    Task<Route> AddRouteAsync(string hostname, Guid tunnelId, CancellationToken cancellationToken);

    /// <summary>Removes the route for <paramref name="hostname"/>; false when there was none.</summary>
    Task<bool> RemoveRouteAsync(string hostname, CancellationToken cancellationToken);

    /// <summary>Routes by hostname, of one tunnel or (null) of all.</summary>
    Task<IReadOnlyList<Route>> ListRoutesAsync(Guid? tunnelId, CancellationToken cancellationToken);

    /// <summary>Creates a service token with a new random client id (<c>&lt;32 hex&gt;.access</c>).</summary>
    Task<ServiceToken> CreateServiceTokenAsync(string name, string secretHash, CancellationToken cancellationToken);

    /// <summary>All service tokens, revoked ones included, by creation time.</summary>
    Task<IReadOnlyList<ServiceToken>> ListServiceTokensAsync(CancellationToken cancellationToken);

    Task<ServiceToken?> FindServiceTokenByClientIdAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Revokes a service token; false when it is unknown or already revoked.</summary>
    Task<bool> RevokeServiceTokenAsync(Guid id, CancellationToken cancellationToken);

    Task<AdminToken> CreateAdminTokenAsync(string name, string tokenHash, CancellationToken cancellationToken);

    Task<AdminToken?> FindAdminTokenAsync(Guid id, CancellationToken cancellationToken);

    Task<IReadOnlyList<AdminToken>> ListAdminTokensAsync(CancellationToken cancellationToken);

    /// <summary>Deletes an admin token; false when it is unknown.</summary>
    Task<bool> DeleteAdminTokenAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the app for <paramref name="hostname"/> (normalised like a route's; it needs no
    /// route). <paramref name="sessionDuration"/>: 1 minute – 30 days, cut to whole milliseconds.
    /// An app that exists is a conflict.
    /// </summary>
    Task<App> CreateAppAsync(string hostname, TimeSpan sessionDuration, CancellationToken cancellationToken);

    Task<App?> GetAppAsync(string hostname, CancellationToken cancellationToken);

    /// <summary>Apps by hostname.</summary>
    Task<IReadOnlyList<App>> ListAppsAsync(CancellationToken cancellationToken);

    /// <summary>Changes an app's session duration; <see cref="StoreNotFoundException"/> when there is no such app.</summary>
    Task<App> UpdateAppAsync(string hostname, TimeSpan sessionDuration, CancellationToken cancellationToken);

    /// <summary>Deletes an app and its policies; false when it is unknown.</summary>
    Task<bool> DeleteAppAsync(string hostname, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a policy to an existing app (else <see cref="StoreNotFoundException"/>).
    /// <paramref name="action"/>: one of <see cref="StoreInputRules.PolicyActions"/>;
    /// <paramref name="precedence"/>: 1–10000, unique within the app (else a conflict naming the
    /// policy that holds it); each selector list: at most 100 opaque strings of 1–1024 printable
    /// characters, stored as given (the store does not interpret selectors).
    /// </summary>
    Task<StoredPolicy> AddPolicyAsync(
        string appHostname,
        string name,
        string action,
        int precedence,
        IReadOnlyList<string> include,
        IReadOnlyList<string> require,
        IReadOnlyList<string> exclude,
        CancellationToken cancellationToken);

    /// <summary>Policies of one app (by precedence) or, for null, of all apps (by app, then precedence).</summary>
    Task<IReadOnlyList<StoredPolicy>> ListPoliciesAsync(string? appHostname, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces everything of a policy but its id, app and creation time, with the rules of
    /// <see cref="AddPolicyAsync"/>; <see cref="StoreNotFoundException"/> when there is no such policy.
    /// </summary>
    Task<StoredPolicy> UpdatePolicyAsync(
        Guid id,
        string name,
        string action,
        int precedence,
        IReadOnlyList<string> include,
        IReadOnlyList<string> require,
        IReadOnlyList<string> exclude,
        CancellationToken cancellationToken);

    /// <summary>Deletes a policy; false when it is unknown.</summary>
    Task<bool> DeletePolicyAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Records a sign-in, created now and valid until <paramref name="expiresAt"/> (which must be
    /// later). <paramref name="email"/> is stored in lowercase; <paramref name="groups"/>: at
    /// most 200 of 1–256 printable characters.
    /// </summary>
    Task<UserSession> CreateSessionAsync(
        string secretHash,
        string email,
        string? displayName,
        IReadOnlyList<string> groups,
        string loginMethod,
        string? clientAddress,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    /// <summary>The session with this id, revoked or expired or not.</summary>
    Task<UserSession?> GetSessionAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Sessions by creation time; with <paramref name="activeOnly"/>, those neither revoked nor expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<UserSession>> ListSessionsAsync(bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ids of sessions revoked but not yet expired at <paramref name="now"/>: what the edge must refuse. Expired
    /// sessions are left out (their tokens have expired too), so the answer does not grow with every sign-in ever made.</summary>
    Task<IReadOnlyList<Guid>> ListRevokedSessionIdsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes a session now; false when it is unknown or already revoked.</summary>
    Task<bool> RevokeSessionAsync(Guid id, string? reason, CancellationToken cancellationToken);

    /// <summary>Revokes every live (unrevoked, unexpired) session of <paramref name="email"/> (any case); returns their ids.</summary>
    Task<IReadOnlyList<Guid>> RevokeSessionsByEmailAsync(string email, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new token signing key (<paramref name="privateKeyPkcs8"/>: standard base64 of
    /// PKCS#8 DER). A key id that exists is a conflict: ids are never reused.
    /// </summary>
    Task<StoredSigningKey> AddSigningKeyAsync(string keyId, string algorithm, string privateKeyPkcs8, CancellationToken cancellationToken);

    /// <summary>All signing keys, retired ones included, oldest first.</summary>
    Task<IReadOnlyList<StoredSigningKey>> ListSigningKeysAsync(CancellationToken cancellationToken);

    /// <summary>Marks a key retired as of <paramref name="at"/>; false when it is unknown or already retired.</summary>
    Task<bool> RetireSigningKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes a signing key; false when it is unknown.</summary>
    Task<bool> DeleteSigningKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends to the audit log and returns the event's id (<see cref="AuditEvent.Id"/> is
    /// ignored). Text longer than its limit (detail 8192 characters, other fields 1024) is cut
    /// and ends with '…', never refused: the audit must not lose a record because a field is
    /// long. Only an unknown <see cref="AuditEvent.Kind"/> is refused. Does not move the change
    /// counter: audit is not configuration.
    /// </summary>
    Task<long> AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Appends several events in one transaction, in order (the connection log's batches: one
    /// commit for many connections). The same cutting and checks as <see cref="AppendAuditAsync"/>;
    /// one unknown kind refuses the whole batch and writes none of it.
    /// </summary>
    Task AppendAuditBatchAsync(IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken);

    /// <summary>
    /// Audit events newest first, at most <paramref name="limit"/> (1–10000), filtered by any of:
    /// at or after <paramref name="since"/>, exactly this <paramref name="actor"/>, <paramref name="app"/>, <paramref name="kind"/>.
    /// </summary>
    Task<IReadOnlyList<AuditEvent>> ListAuditAsync(
        DateTimeOffset? since, string? actor, string? app, string? kind, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// A number that grows with every change the store makes (and with nothing else), so the
    /// edge can poll it cheaply and rebuild its snapshot (and re-evaluate open connections) only
    /// when it moved. Session writes move it (that is how a revocation reaches open connections);
    /// audit appends do not.
    /// </summary>
    Task<long> GetChangeCounterAsync(CancellationToken cancellationToken);
}
