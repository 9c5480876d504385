using Drawbridge.Edge.Policies;

namespace Drawbridge.Edge.Access;

/// <summary>Who is connecting: the name the open message and the log use (SPEC.md §4), the subject
/// policies judge, and what can later revoke it (a session, a service token, an expiry).</summary>
internal sealed record AccessCaller(string Identity, AccessSubject Subject, Guid? ServiceTokenId = null, Guid? SessionId = null, DateTimeOffset? ExpiresAt = null);
