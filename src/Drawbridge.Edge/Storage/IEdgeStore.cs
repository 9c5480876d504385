namespace Drawbridge.Edge.Storage;

/// <summary>
/// The edge's durable state: tunnels, routes, service tokens and admin tokens. Implemented by
/// <see cref="SqliteEdgeStore"/> (embedded default) and, for clusters, a PostgreSQL store; both
/// pass the same contract tests. Secrets never reach the store, only their SHA-256
/// (<see cref="Drawbridge.Protocol.Credentials.SecretHash"/>).
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
    /// A number that grows with every change the store makes (and with nothing else), so the
    /// edge can poll it cheaply and rebuild its snapshot only when it moved.
    /// </summary>
    Task<long> GetChangeCounterAsync(CancellationToken cancellationToken);
}
