namespace Drawbridge.Protocol.Framing;

/// <summary>Flag bits of SPEC.md §3; their meaning depends on the frame type.</summary>
[Flags]
public enum MuxFrameFlags : byte
{
    None = 0,

    /// <summary>On DATA: the sender's last bytes on the stream (TCP half-close).</summary>
    Fin = 0x1,

    /// <summary>On PING: this is the answer. Flag bits are per frame type, as in HTTP/2.</summary>
#pragma warning disable CA1069
    PingAck = 0x1,
#pragma warning restore CA1069
}
