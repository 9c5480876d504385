namespace Drawbridge.Protocol.Outcomes;

/// <summary>The one outcome every client connection ends with (SPEC.md §7): logged by the edge,
/// shown by the client, stored in the audit log.</summary>
public enum ConnectionOutcome
{
    Closed,
    Unauthenticated,
    Denied,
    NoRoute,
    NoConnector,
    EdgeDraining,
    NoIngressRule,
    OriginUnreachable,
    OriginRefused,
    OriginTimeout,
    Reset,
    AccessRevoked,
    SessionExpired,
    GoingAway,
    LinkLost,
    ProtocolError,
    InternalError,
    EdgeUnreachable,
}
