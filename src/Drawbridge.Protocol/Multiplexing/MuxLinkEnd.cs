namespace Drawbridge.Protocol.Multiplexing;

/// <summary>Why a link ended: the code and reason of the GOAWAY that ended it (sent or received),
/// or LINK_LOST when the transport went away without one.</summary>
public sealed record MuxLinkEnd(MuxErrorCode Code, string Reason, bool ByPeer)
{
    public override string ToString() => $"{Code} ({(ByPeer ? "peer" : "local")}): {Reason}";
}
