namespace Drawbridge.Edge.Storage;

/// <summary>
/// A machine credential: <paramref name="ClientId"/> (<c>&lt;32 hex&gt;.access</c>, public, the
/// shape <c>cloudflared</c> users know) plus a secret of which only <paramref name="SecretHash"/> is kept.
/// </summary>
internal sealed record ServiceToken(Guid Id, string Name, string ClientId, string SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
