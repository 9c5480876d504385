namespace Drawbridge.Edge.Storage;

/// <summary>A tunnel: a named identity that connectors authenticate as (SPEC.md §2).</summary>
/// <param name="SecretHash">SHA-256 of the tunnel secret, 64 lowercase hex digits; the secret itself is never stored.</param>
/// <param name="DeletedAt">When it was deleted; a deleted tunnel authenticates no link and owns no route.</param>
internal sealed record Tunnel(Guid Id, string Name, string SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt);
