using System.Collections.Frozen;
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
    {
        ChangeCounter = changeCounter;
        _routes = routes;
        _tunnelSecretHashes = tunnelSecretHashes;
        _serviceTokens = serviceTokens;
    }

    /// <summary>An edge with nothing configured: every lookup fails.</summary>
    public static EdgeSnapshot Empty { get; } = new(
        -1, FrozenDictionary<string, Guid>.Empty, FrozenDictionary<Guid, string>.Empty, FrozenDictionary<string, ServiceTokenEntry>.Empty);

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
        return new EdgeSnapshot(changeCounter, liveRoutes, secretHashes, tokens);
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
