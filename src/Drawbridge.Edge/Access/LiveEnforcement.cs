using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Multiplexing;
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

    public static (MuxErrorCode, string)? Verdict(OpenConnection connection, EdgeSnapshot snapshot)
    {
        AccessCaller caller = connection.Caller;
        if (caller.ServiceTokenId is { } tokenId && !snapshot.IsServiceTokenLive(tokenId))
        {
            return (MuxErrorCode.AccessRevoked, "access revoked by an administrator: the service token was revoked");
        }

        if (caller.SessionId is { } sessionId && snapshot.RevokedSessions.Contains(sessionId))
        {
            return (MuxErrorCode.AccessRevoked, SessionRevoked);
        }

        var decision = AccessAuthenticator.Authorize(connection.Hostname, caller, snapshot);
        return decision.Allowed ? null : (MuxErrorCode.AccessRevoked, "access revoked: no longer allowed (" + decision.Reason + ")");
    }

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
        connections.Enforce(c => c.Caller.ExpiresAt is { } expires && expires <= now
            ? (MuxErrorCode.SessionExpired, $"session expired: run `drawbridge access login {c.Hostname}`")
            : null);

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
