namespace Drawbridge.Edge.Snapshots;

/// <summary>A service token that authenticated: who it is, for policies (the service-token selector) and the audit log.</summary>
internal sealed record ServiceTokenMatch(Guid TokenId, string Name);
