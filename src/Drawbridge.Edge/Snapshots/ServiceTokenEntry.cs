namespace Drawbridge.Edge.Snapshots;

/// <summary>What the snapshot keeps of a service token, by client id.</summary>
internal sealed record ServiceTokenEntry(Guid TokenId, string Name, string SecretHash, bool Revoked);
