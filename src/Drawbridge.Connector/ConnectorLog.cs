using Microsoft.Extensions.Logging;

namespace Drawbridge.Connector;

/// <summary>The connector's log lines (event ids 2000–2999). Never a secret or payload byte.</summary>
internal static partial class ConnectorLog
{
    [LoggerMessage(2000, LogLevel.Information, "Starting tunnel {TunnelName} ({TunnelId}) with {Links} links to {Edge}; connector id {ConnectorId}")]
    public static partial void Starting(ILogger logger, string tunnelName, Guid tunnelId, int links, string edge, Guid connectorId);

    [LoggerMessage(2001, LogLevel.Information, "Registered tunnel link {LinkIndex} to edge {Edge}")]
    public static partial void LinkRegistered(ILogger logger, int linkIndex, string edge);

    [LoggerMessage(2002, LogLevel.Warning, "Tunnel link {LinkIndex} ended: {Reason}; reconnecting in {DelayMs} ms")]
    public static partial void LinkEnded(ILogger logger, int linkIndex, string reason, long delayMs);

    [LoggerMessage(2003, LogLevel.Warning, "Tunnel link {LinkIndex} could not connect: {Reason}; retrying in {DelayMs} ms")]
    public static partial void LinkFailed(ILogger logger, int linkIndex, string reason, long delayMs);

    [LoggerMessage(2004, LogLevel.Error, "The edge refused the tunnel credential: {Reason}")]
    public static partial void CredentialRefused(ILogger logger, string reason);

    [LoggerMessage(2005, LogLevel.Information, "Edge asked link {LinkIndex} to move on ({Reason}); opening a replacement")]
    public static partial void EdgeGoingAway(ILogger logger, int linkIndex, string reason);

    [LoggerMessage(2010, LogLevel.Information, "Stream {StreamId} for {Hostname} by {Identity} from {ClientAddress} → {Origin}: {Outcome} after {DurationMs} ms, {BytesUp} bytes up, {BytesDown} bytes down{Detail}")]
    public static partial void StreamEnded(ILogger logger, uint streamId, string hostname, string identity, string clientAddress, string origin, string outcome, long durationMs, long bytesUp, long bytesDown, string detail);

    [LoggerMessage(2011, LogLevel.Warning, "Stream {StreamId} for {Hostname} refused: {Reason}")]
    public static partial void StreamRefused(ILogger logger, uint streamId, string hostname, string reason);

    [LoggerMessage(2020, LogLevel.Information, "Draining: no new streams; waiting up to {GraceSeconds} s for {Streams} open streams")]
    public static partial void Draining(ILogger logger, double graceSeconds, int streams);

    [LoggerMessage(2021, LogLevel.Information, "Metrics and readiness on http://{Address}/metrics and /ready")]
    public static partial void MetricsListening(ILogger logger, string address);
}
