using System.Net.WebSockets;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Outcomes;

/// <summary>The tables of SPEC.md §7: wire names, close codes, and what the user is told.</summary>
public static class ConnectionOutcomes
{
    /// <summary>SPEC.md §1: an abnormal WebSocket close carries 4000 + the mux error code.</summary>
    public const int CloseCodeBase = 4000;

    /// <summary>The snake_case name used on the wire, in logs and in JSON.</summary>
    public static string WireName(this ConnectionOutcome outcome) => outcome switch
    {
        ConnectionOutcome.Closed => "closed",
        ConnectionOutcome.Unauthenticated => "unauthenticated",
        ConnectionOutcome.Denied => "denied",
        ConnectionOutcome.NoRoute => "no_route",
        ConnectionOutcome.NoConnector => "no_connector",
        ConnectionOutcome.EdgeDraining => "edge_draining",
        ConnectionOutcome.NoIngressRule => "no_ingress_rule",
        ConnectionOutcome.OriginUnreachable => "origin_unreachable",
        ConnectionOutcome.OriginRefused => "origin_refused",
        ConnectionOutcome.OriginTimeout => "origin_timeout",
        ConnectionOutcome.Reset => "reset",
        ConnectionOutcome.AccessRevoked => "access_revoked",
        ConnectionOutcome.SessionExpired => "session_expired",
        ConnectionOutcome.GoingAway => "going_away",
        ConnectionOutcome.LinkLost => "link_lost",
        ConnectionOutcome.ProtocolError => "protocol_error",
        ConnectionOutcome.EdgeUnreachable => "edge_unreachable",
        _ => "internal_error",
    };

    public static ConnectionOutcome? FromWireName(string? name)
    {
        foreach (ConnectionOutcome outcome in Enum.GetValues<ConnectionOutcome>())
        {
            if (outcome.WireName() == name)
            {
                return outcome;
            }
        }

        return null;
    }

    /// <summary>The outcome of a stream that a mux error code ended.</summary>
    public static ConnectionOutcome FromMuxError(MuxErrorCode code) => code switch
    {
        MuxErrorCode.NoError => ConnectionOutcome.Closed,
        MuxErrorCode.NoIngressRule => ConnectionOutcome.NoIngressRule,
        MuxErrorCode.OriginUnreachable => ConnectionOutcome.OriginUnreachable,
        MuxErrorCode.OriginRefused => ConnectionOutcome.OriginRefused,
        MuxErrorCode.OriginTimeout => ConnectionOutcome.OriginTimeout,
        MuxErrorCode.OriginReset or MuxErrorCode.Cancel => ConnectionOutcome.Reset,
        MuxErrorCode.AccessRevoked => ConnectionOutcome.AccessRevoked,
        MuxErrorCode.SessionExpired => ConnectionOutcome.SessionExpired,
        MuxErrorCode.GoingAway or MuxErrorCode.RefusedStream => ConnectionOutcome.GoingAway,
        MuxErrorCode.LinkLost => ConnectionOutcome.LinkLost,
        MuxErrorCode.NoRoute => ConnectionOutcome.NoRoute,
        MuxErrorCode.NoConnector => ConnectionOutcome.NoConnector,
        MuxErrorCode.ProtocolError or MuxErrorCode.FlowControlError or MuxErrorCode.FrameSizeError => ConnectionOutcome.ProtocolError,
        _ => ConnectionOutcome.InternalError,
    };

    /// <summary>The WebSocket close status that reports a mux error to the client (SPEC.md §1).</summary>
    public static WebSocketCloseStatus CloseStatusFor(MuxErrorCode code) =>
        code == MuxErrorCode.NoError ? WebSocketCloseStatus.NormalClosure : (WebSocketCloseStatus)(CloseCodeBase + (int)code);

    /// <summary>The outcome a client reads from the edge's close status.</summary>
    public static ConnectionOutcome FromCloseStatus(WebSocketCloseStatus status)
    {
        int value = (int)status;
        if (status == WebSocketCloseStatus.NormalClosure)
        {
            return ConnectionOutcome.Closed;
        }

        return value is >= CloseCodeBase and < CloseCodeBase + 1000
            ? FromMuxError((MuxErrorCode)(value - CloseCodeBase))
            : ConnectionOutcome.InternalError;
    }

    /// <summary>What the user is told, and what to do about it.</summary>
    public static string Advice(this ConnectionOutcome outcome, string hostname) => outcome switch
    {
        ConnectionOutcome.Closed => "the connection closed normally",
        ConnectionOutcome.Unauthenticated => $"no valid credential for {hostname}: pass a service token (--service-token-id/--service-token-secret) or sign in",
        ConnectionOutcome.Denied => $"your credential is not allowed to reach {hostname}",
        ConnectionOutcome.NoRoute => $"no tunnel serves {hostname}: check the hostname, or route it with `drawbridge tunnel route dns TUNNEL {hostname}`",
        ConnectionOutcome.NoConnector => $"the tunnel for {hostname} has no connector online: start `drawbridge tunnel run` next to the service",
        ConnectionOutcome.EdgeDraining => "the edge is restarting: try again in a moment",
        ConnectionOutcome.NoIngressRule => $"the connector has no ingress rule for {hostname}: add one to its config.yml",
        ConnectionOutcome.OriginUnreachable => "the connector cannot reach the service's host: check the --url / ingress rule",
        ConnectionOutcome.OriginRefused => "the service refused the connection: is it running on the address in the ingress rule?",
        ConnectionOutcome.OriginTimeout => "the service did not answer: check that it is up and reachable from the connector",
        ConnectionOutcome.Reset => "the connection was reset by the service or the other side",
        ConnectionOutcome.AccessRevoked => "an administrator revoked your access",
        ConnectionOutcome.SessionExpired => $"your session expired: run `drawbridge access login {hostname}`",
        ConnectionOutcome.GoingAway => "the connector or edge shut down: try again",
        ConnectionOutcome.LinkLost => "the connector's link to the edge dropped: try again",
        ConnectionOutcome.ProtocolError => "a protocol error between Drawbridge components (a bug: please report it)",
        ConnectionOutcome.EdgeUnreachable => "could not reach the edge: check DNS, that TCP 443 (or --edge) is reachable, the proxy (HTTPS_PROXY) and --ca-cert",
        _ => "an unexpected failure: see the edge's log",
    };
}
