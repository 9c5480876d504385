namespace Drawbridge.Edge.Access;

/// <summary>Who is connecting, as the open message and the log name them (SPEC.md §4).</summary>
internal sealed record AccessCaller(string Identity, Guid? ServiceTokenId);
