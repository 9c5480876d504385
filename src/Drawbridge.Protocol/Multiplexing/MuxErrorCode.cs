namespace Drawbridge.Protocol.Multiplexing;

/// <summary>Error codes of SPEC.md §5, carried by RST and GOAWAY.</summary>
public enum MuxErrorCode : uint
{
    NoError = 0,
    ProtocolError = 1,
    InternalError = 2,
    FlowControlError = 3,
    FrameSizeError = 4,
    RefusedStream = 5,
    Cancel = 6,
    NoIngressRule = 7,
    OriginUnreachable = 8,
    OriginRefused = 9,
    OriginTimeout = 10,
    OriginReset = 11,
    AccessRevoked = 12,
    SessionExpired = 13,
    GoingAway = 14,
    LinkLost = 15,
    NoRoute = 16,
    NoConnector = 17,
}
