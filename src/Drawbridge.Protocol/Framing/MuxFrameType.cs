namespace Drawbridge.Protocol.Framing;

/// <summary>Frame types of SPEC.md §3. Any other value is a link-level PROTOCOL_ERROR.</summary>
public enum MuxFrameType : byte
{
    Data = 0x0,
    Syn = 0x1,
    Ack = 0x2,
    WindowUpdate = 0x3,
    Rst = 0x4,
    Ping = 0x5,
    GoAway = 0x6,
}
