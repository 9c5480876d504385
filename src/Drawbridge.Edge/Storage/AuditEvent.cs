namespace Drawbridge.Edge.Storage;

/// <summary>
/// One line of the audit log: a sign-in, a connection (with the policy that decided it and its
/// traffic), or an admin change. Append-only.
/// </summary>
/// <param name="Id">Assigned by the store, growing with each append; ignored by <see cref="IEdgeStore.AppendAuditAsync"/>.</param>
/// <param name="Kind">One of <see cref="StoreInputRules.AuditKinds"/>.</param>
/// <param name="Actor">Who: an e-mail, a service token's client id, an admin token's name.</param>
/// <param name="App">The app hostname concerned, if any.</param>
/// <param name="Outcome">What happened, e.g. "allowed", "denied", "closed_revoked".</param>
/// <param name="Policy">The policy that decided, if one did.</param>
/// <param name="Detail">Free text, at most 8192 characters (longer is truncated, never refused).</param>
internal sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Kind,
    string Actor,
    string? App,
    string Outcome,
    string? Policy,
    string? ClientAddress,
    long? BytesUp,
    long? BytesDown,
    long? DurationMs,
    string? Detail);
