using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Edge.Access;

/// <summary>A client connection in flight, as live enforcement sees it: who, where, and how to end it with a reason.</summary>
internal sealed record OpenConnection(
    Guid Id,
    string Hostname,
    AccessCaller Caller,
    string ClientAddress,
    DateTimeOffset Since,
    Action<MuxErrorCode, string> Close);
