using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Tokens;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Access;

/// <summary>
/// Re-decides open connections (DESIGN.md "Live enforcement"): on every configuration change
/// (a revoked session or service token, a changed policy) and every second for expiring
/// sessions. A connection no longer allowed is reset with the reason the client will print.
/// </summary>
internal static class LiveEnforcement
{
    private const string SessionRevoked = "access revoked by an administrator: your session was revoked";

    public static (MuxErrorCode, string)? Verdict(OpenConnection connection, EdgeSnapshot snapshot) =>
        Judge(connection.Caller, connection.Hostname, snapshot, out _) is { } end ? (end.Code, end.Refusal.Message) : null;

    /// <summary>
    /// Whether <paramref name="caller"/> may still reach <paramref name="hostname"/> under
    /// <paramref name="snapshot"/>: null when allowed, else the code that ends the connection and
    /// the refusal it counts as. One judgement for open connections and for each new stream of a
    /// client link (SPEC.md §8). <paramref name="decision"/> is the policy decision when one was made.
    /// </summary>
    public static (MuxErrorCode Code, AccessRefusal Refusal)? Judge(AccessCaller caller, string hostname, EdgeSnapshot snapshot, out PolicyDecision? decision)
    {
        decision = null;
        if (caller.ServiceTokenId is { } tokenId && !snapshot.IsServiceTokenLive(tokenId))
        {
            return Revoked(AccessRefusal.BadServiceToken, "access revoked by an administrator: the service token was revoked");
        }

        if (caller.SessionId is { } sessionId && snapshot.RevokedSessions.Contains(sessionId))
        {
            return Revoked(AccessRefusal.SessionRevoked, SessionRevoked);
        }

        decision = AccessAuthenticator.Authorize(hostname, caller, snapshot);
        return decision.Allowed
            ? null
            : Revoked(decision.DecidedBy?.Action == PolicyAction.Deny ? AccessRefusal.DenyPolicy : AccessRefusal.NoAllowingPolicy,
                "access revoked: no longer allowed (" + decision.Reason + ")");
    }

    /// <summary>The end of a caller whose session or token expired by <paramref name="now"/>; null while it lasts.</summary>
    public static (MuxErrorCode Code, AccessRefusal Refusal)? Expired(AccessCaller caller, string hostname, DateTimeOffset now) =>
        caller.ExpiresAt is { } expires && expires <= now
            ? (MuxErrorCode.SessionExpired, new AccessRefusal(ConnectionOutcome.SessionExpired, TokenFailure.Expired.Name(),
                $"session expired: run `drawbridge access login {hostname}`"))
            : null;

    private static (MuxErrorCode, AccessRefusal) Revoked(string reason, string message) =>
        (MuxErrorCode.AccessRevoked, new AccessRefusal(ConnectionOutcome.AccessRevoked, reason, message));

    /// <summary>
    /// Closes this edge's connections of sessions just revoked, at once and without waiting for
    /// the snapshot (the admin API answers with how many); other edges close theirs through
    /// <see cref="Verdict"/> when their poll sees the change.
    /// </summary>
    public static int EnforceRevokedSessions(OpenConnections connections, IReadOnlySet<Guid> sessionIds) =>
        sessionIds.Count == 0 ? 0 : connections.Enforce(c => c.Caller.SessionId is { } id && sessionIds.Contains(id)
            ? (MuxErrorCode.AccessRevoked, SessionRevoked)
            : null);

    public static int EnforceExpiry(OpenConnections connections, DateTimeOffset now) =>
        connections.Enforce(c => Expired(c.Caller, c.Hostname, now) is { } end ? (end.Code, end.Refusal.Message) : null);

    /// <summary>Checks expiry once a second until stopped: a session ends within a second of its time.</summary>
    public static async Task RunExpiryLoopAsync(OpenConnections connections, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                int closed = EnforceExpiry(connections, time.GetUtcNow());
                if (closed > 0)
                {
                    EdgeLog.ConnectionsClosed(logger, closed, "sessions expired");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the edge is stopping
        }
    }
}
