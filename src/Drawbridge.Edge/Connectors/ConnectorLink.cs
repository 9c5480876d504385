using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Edge.Connectors;

/// <summary>One registered link of a connector: the mux session and who is on the other end.</summary>
internal sealed record ConnectorLink(
    Guid TunnelId,
    Guid ConnectorId,
    int LinkIndex,
    string Version,
    string RemoteAddress,
    DateTimeOffset Since,
    MuxSession Session);
