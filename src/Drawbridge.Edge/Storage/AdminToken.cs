namespace Drawbridge.Edge.Storage;

/// <summary>A token for the admin API; only <paramref name="TokenHash"/>, SHA-256 of its secret, is kept.</summary>
internal sealed record AdminToken(Guid Id, string Name, string TokenHash, DateTimeOffset CreatedAt);
