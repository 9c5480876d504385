namespace Drawbridge.Protocol.Framing;

/// <summary>The 9-byte header of SPEC.md §3.</summary>
public readonly record struct MuxFrameHeader(int Length, MuxFrameType Type, MuxFrameFlags Flags, uint StreamId)
{
    public bool HasFlag(MuxFrameFlags flag) => (Flags & flag) == flag;
}
