namespace Drawbridge.Edge.Admin;

// The admin API's bodies for applications, policies, sessions and the audit log (JSON, camelCase).
// A request parameter without a default is required (the OpenAPI document says so; a missing one
// is refused naming it); one with a default may be left out.

internal sealed record CreateAppRequest(string? Hostname, string? SessionDuration = null);

internal sealed record AppView(string Hostname, string SessionDuration, DateTimeOffset CreatedAt, IReadOnlyList<PolicyView> Policies);

internal sealed record AddPolicyRequest(string? Name, string? Action, int? Precedence = null, IReadOnlyList<string>? Include = null, IReadOnlyList<string>? Require = null, IReadOnlyList<string>? Exclude = null);

internal sealed record PolicyView(Guid Id, string App, string Name, string Action, int Precedence, IReadOnlyList<string> Include, IReadOnlyList<string> Require, IReadOnlyList<string> Exclude);

internal sealed record PolicyTestRequest(string? Email = null, IReadOnlyList<string>? Groups = null, string? Ip = null, string? LoginMethod = null, string? ServiceToken = null);

internal sealed record PolicyTestResult(bool Allowed, string? Policy, string Reason);

internal sealed record SessionView(Guid Id, string Email, string? DisplayName, IReadOnlyList<string> Groups, string LoginMethod, string? ClientAddress, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string? RevokedReason, int OpenConnections);

internal sealed record RevokeSessionsRequest(Guid? Id = null, string? Email = null, string? Reason = null);

internal sealed record RevokeSessionsResult(int Revoked, int ConnectionsClosed);

internal sealed record AuditView(long Id, DateTimeOffset At, string Kind, string Actor, string? App, string Outcome, string? Policy, string? ClientAddress, long? BytesUp, long? BytesDown, long? DurationMs, string? Detail);
