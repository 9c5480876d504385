namespace Drawbridge.Protocol.Framing;

/// <summary>The numbers SPEC.md fixes. Each one is part of the wire contract.</summary>
public static class MuxLimits
{
    /// <summary>Length field plus type, flags and stream id (§3).</summary>
    public const int HeaderSize = 9;

    /// <summary>Largest payload of any frame (§3). 64 KiB keeps header overhead under 0.02 %
    /// while a frame still fits comfortably in one pooled buffer.</summary>
    public const int MaxPayload = 65_536;

    /// <summary>
    /// A full DATA frame as it goes out, in its WebSocket message: 64 KiB, four full TLS records
    /// of 16 KiB. The unit the senders fill (<see cref="SendDataPayload"/>), the edge writes whole
    /// and its transport blocks hold, and a client reads ahead under TLS.
    /// </summary>
    public const int DataMessageSize = 64 * 1024;

    /// <summary>
    /// The DATA payload a sender puts in one frame: a sender's choice, not a limit (receivers take
    /// up to <see cref="MaxPayload"/>). The frame with its 9-byte header, in a client's WebSocket
    /// message (an 8-byte header under 64 KiB), is exactly <see cref="DataMessageSize"/>. With a
    /// 64 KiB payload every frame made a fifth TLS record of 23 bytes, which the TLS layer sent on
    /// its own (a third of the client's sends and a fifth of the records, measured).
    /// </summary>
    public const int SendDataPayload = DataMessageSize - HeaderSize - 8;

    /// <summary>Largest SYN payload (§3): an open message is a few hundred bytes.</summary>
    public const int MaxSynPayload = 16_384;

    /// <summary>Largest reason text in RST and GOAWAY (§3).</summary>
    public const int MaxReasonBytes = 1_024;

    /// <summary>Largest stream id: 31 bits (§3).</summary>
    public const uint MaxStreamId = int.MaxValue;

    /// <summary>Largest credit a sender may hold, like HTTP/2 (RFC 9113 §6.9.1).</summary>
    public const long MaxCredit = int.MaxValue;

    /// <summary>Initial stream window (§6). The known-slow fixed window, as the start only.</summary>
    public const int InitialStreamWindow = 256 * 1024;

    /// <summary>Initial link window (§6): room for 16 streams' initial windows, so one stalled
    /// stream cannot hold the whole link.</summary>
    public const int InitialLinkWindow = 16 * InitialStreamWindow;

    /// <summary>Largest stream window (§6): 16 MiB covers 1 Gbit/s at 130 ms RTT.</summary>
    public const int MaxStreamWindow = 16 * 1024 * 1024;

    /// <summary>Largest link window (§6).</summary>
    public const int MaxLinkWindow = 64 * 1024 * 1024;
}
