using System.Collections.Frozen;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Snapshots;

/// <summary>
/// What the hot path needs from the store, frozen: routes, tunnel secrets and service tokens.
/// Built whole by <see cref="LoadAsync"/> and swapped whole when the store's change counter
/// moves, so authenticating a link or a connection never queries the database.
/// </summary>
internal sealed class EdgeSnapshot
{
    private readonly FrozenDictionary<string, Guid> _routes;
    private readonly FrozenDictionary<Guid, string> _tunnelSecretHashes;
    private readonly FrozenDictionary<string, ServiceTokenEntry> _serviceTokens;

    public EdgeSnapshot(
        long changeCounter,
        FrozenDictionary<string, Guid> routes,
        FrozenDictionary<Guid, string> tunnelSecretHashes,
        FrozenDictionary<string, ServiceTokenEntry> serviceTokens)
        : this(changeCounter, routes, tunnelSecretHashes, serviceTokens, FrozenDictionary<string, AppAccess>.Empty, FrozenSet<Guid>.Empty)
    {
    }

    public EdgeSnapshot(
        long changeCounter,
        FrozenDictionary<string, Guid> routes,
        FrozenDictionary<Guid, string> tunnelSecretHashes,
        FrozenDictionary<string, ServiceTokenEntry> serviceTokens,
        FrozenDictionary<string, AppAccess> apps,
        FrozenSet<Guid> revokedSessions)
    {
        ChangeCounter = changeCounter;
        _routes = routes;
        _tunnelSecretHashes = tunnelSecretHashes;
        _serviceTokens = serviceTokens;
        Apps = apps;
        RevokedSessions = revokedSessions;
    }

    /// <summary>An edge with nothing configured: every lookup fails.</summary>
    public static EdgeSnapshot Empty { get; } = new(
        -1, FrozenDictionary<string, Guid>.Empty, FrozenDictionary<Guid, string>.Empty, FrozenDictionary<string, ServiceTokenEntry>.Empty);

    /// <summary>hostname (lowercase) → the application and its parsed policies.</summary>
    public FrozenDictionary<string, AppAccess> Apps { get; }

    /// <summary>Sessions revoked before they expired: their app tokens are refused and their connections closed.</summary>
    public FrozenSet<Guid> RevokedSessions { get; }

    /// <summary>Whether a service token (by id) is still live: revoking one closes its open connections.</summary>
    public bool IsServiceTokenLive(Guid tokenId) => _serviceTokens.Values.Any(t => t.TokenId == tokenId && !t.Revoked);

    /// <summary>
    /// The store's change counter read before the snapshot's data: a change made while loading
    /// moves the counter past this value, so the next poll reloads and nothing is missed.
    /// </summary>
    public long ChangeCounter { get; }

    /// <summary>hostname (lowercase) → tunnel id.</summary>
    public FrozenDictionary<string, Guid> Routes => _routes;

    public static async Task<EdgeSnapshot> LoadAsync(IEdgeStore store, CancellationToken cancellationToken)
    {
        var changeCounter = await store.GetChangeCounterAsync(cancellationToken);
        var tunnels = await store.ListTunnelsAsync(includeDeleted: false, cancellationToken);
        var routes = await store.ListRoutesAsync(tunnelId: null, cancellationToken);
        var serviceTokens = await store.ListServiceTokensAsync(cancellationToken);

        var secretHashes = tunnels.ToFrozenDictionary(t => t.Id, t => t.SecretHash);

        // Only routes whose tunnel is live: deleting a tunnel removes its routes, but a route
        // read between those two changes must not point at a tunnel we no longer authenticate.
        var liveRoutes = routes
            .Where(r => secretHashes.ContainsKey(r.TunnelId))
            .ToFrozenDictionary(r => r.Hostname, r => r.TunnelId, StringComparer.OrdinalIgnoreCase);
        var tokens = serviceTokens.ToFrozenDictionary(
            t => t.ClientId, t => new ServiceTokenEntry(t.Id, t.Name, t.SecretHash, t.RevokedAt is not null), StringComparer.Ordinal);
        var apps = await LoadAppsAsync(store, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var revoked = (await store.ListRevokedSessionIdsAsync(now, cancellationToken)).ToFrozenSet();
        return new EdgeSnapshot(changeCounter, liveRoutes, secretHashes, tokens, apps, revoked);
    }

    private static async Task<FrozenDictionary<string, AppAccess>> LoadAppsAsync(IEdgeStore store, CancellationToken cancellationToken)
    {
        var apps = await store.ListAppsAsync(cancellationToken);
        var policies = (await store.ListPoliciesAsync(null, cancellationToken)).ToLookup(p => p.AppHostname, StringComparer.OrdinalIgnoreCase);
        return apps.ToFrozenDictionary(a => a.Hostname, a => ToAccess(a, policies[a.Hostname]), StringComparer.OrdinalIgnoreCase);
    }

    private static AppAccess ToAccess(App app, IEnumerable<StoredPolicy> stored)
    {
        try
        {
            return new AppAccess(app.Hostname, app.SessionDuration, [.. stored.Select(PolicyRecords.ToPolicy)], null);
        }
        catch (PolicyFormatException ex)
        {
            // Fail closed: an unreadable policy could have been a deny.
            return new AppAccess(app.Hostname, app.SessionDuration, [], $"a stored policy of {app.Hostname} is unreadable ({ex.Message}); the app admits no one until it is fixed");
        }
    }

    /// <summary>The tunnel that serves <paramref name="hostname"/> (any case; no port, no trailing dot).</summary>
    public bool TryGetTunnelForHostname(string hostname, out Guid tunnelId) => _routes.TryGetValue(hostname, out tunnelId);

    /// <summary>Whether a live (not deleted) tunnel has this id.</summary>
    public bool HasTunnel(Guid tunnelId) => _tunnelSecretHashes.ContainsKey(tunnelId);

    /// <summary>Whether <paramref name="secret"/> is the secret of live tunnel <paramref name="tunnelId"/> (constant-time compare).</summary>
    public bool TryAuthenticateTunnel(Guid tunnelId, ReadOnlySpan<byte> secret) =>
        _tunnelSecretHashes.TryGetValue(tunnelId, out var hash) && SecretHash.Matches(secret, hash);

    /// <summary>
    /// The service token with this client id and secret (64 lowercase hex digits), or null when
    /// the id is unknown, the secret is malformed or wrong, or the token is revoked.
    /// </summary>
    public ServiceTokenMatch? AuthenticateServiceToken(string? clientId, string? secret)
    {
        if (clientId is null
            || !_serviceTokens.TryGetValue(clientId, out var entry)
            || !SecretHash.TryParseHexSecret(secret, out var bytes))
        {
            return null;
        }

        // Compare before looking at Revoked, so a revoked token costs the same time as a live one.
        var matches = SecretHash.Matches(bytes, entry.SecretHash);
        return matches && !entry.Revoked ? new ServiceTokenMatch(entry.TokenId, entry.Name) : null;
    }
}
