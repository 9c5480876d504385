using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge;

/// <summary>The edge's log lines (event ids 1000–1999). Never a token, secret or payload byte.</summary>
internal static partial class EdgeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Edge listening on {Address} as {Hostname}")]
    public static partial void Listening(ILogger logger, string address, string hostname);

    [LoggerMessage(1002, LogLevel.Information, "Metrics and readiness on http://{Address}/metrics and /ready")]
    public static partial void MetricsListening(ILogger logger, string address);

    [LoggerMessage(1001, LogLevel.Warning, "Refreshing the configuration snapshot failed; keeping the previous one")]
    public static partial void SnapshotRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(1010, LogLevel.Information, "Registered tunnel link {LinkIndex} of tunnel {TunnelId} from connector {ConnectorId} at {RemoteAddress} (version {Version})")]
    public static partial void LinkRegistered(ILogger logger, int linkIndex, Guid tunnelId, Guid connectorId, string remoteAddress, string version);

    [LoggerMessage(1011, LogLevel.Information, "Tunnel link {LinkIndex} of tunnel {TunnelId} ended: {Reason}")]
    public static partial void LinkEnded(ILogger logger, int linkIndex, Guid tunnelId, string reason);

    [LoggerMessage(1012, LogLevel.Warning, "Refused a connector link from {RemoteAddress}: {Reason}")]
    public static partial void LinkRefused(ILogger logger, string remoteAddress, string reason);

    [LoggerMessage(1020, LogLevel.Information, "Connection {ConnectionId} to {Hostname} by {Identity} from {ClientAddress} over {Protocol}: {Outcome} after {DurationMs} ms, {BytesUp} bytes up, {BytesDown} bytes down{Detail}")]
    public static partial void ConnectionEnded(ILogger logger, Guid connectionId, string hostname, string identity, string clientAddress, string protocol, string outcome, long durationMs, long bytesUp, long bytesDown, string detail);

    [LoggerMessage(1021, LogLevel.Information, "Refused connection to {Hostname} from {ClientAddress}: {Outcome}: {Message}")]
    public static partial void ConnectionRefused(ILogger logger, string hostname, string clientAddress, string outcome, string message);

    [LoggerMessage(1030, LogLevel.Information, "Admin {Method} {Path} by {Actor}: {Status}")]
    public static partial void AdminRequest(ILogger logger, string method, string path, string actor, int status);

    [LoggerMessage(1050, LogLevel.Warning, "DEVELOPMENT SETTING (no SMTP server configured): the sign-in code for {Email} is {Code}")]
    public static partial void DevelopmentPin(ILogger logger, string email, string code);

    [LoggerMessage(1051, LogLevel.Information, "Sign-in by {Email} with {Method} from {ClientAddress}: {Outcome}")]
    public static partial void SignIn(ILogger logger, string email, string method, string clientAddress, string outcome);

    [LoggerMessage(1025, LogLevel.Information, "Closed {Count} open connections: {Reason}")]
    public static partial void ConnectionsClosed(ILogger logger, int count, string reason);

    [LoggerMessage(1060, LogLevel.Error, "Writing a {Kind} audit record failed; the event is in this log only")]
    public static partial void AuditFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(1061, LogLevel.Error, "Writing {Count} connection audit records failed; each connection is in this log only (its \"ended\" line)")]
    public static partial void AuditBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(1040, LogLevel.Information, "Edge draining: telling {Links} connector links to move on, waiting up to {GraceSeconds} s for {Connections} open connections")]
    public static partial void Draining(ILogger logger, int links, double graceSeconds, int connections);

    [LoggerMessage(1070, LogLevel.Information, "App token signing key is now {KeyId}; {Retired} retired keys still verify the tokens they signed")]
    public static partial void SigningKeyChanged(ILogger logger, string keyId, int retired);

    [LoggerMessage(1071, LogLevel.Warning, "Refreshing the app token signing keys from the store failed; the current key keeps signing and the edge tries again")]
    public static partial void SigningKeyRefreshFailed(ILogger logger, Exception exception);
}
