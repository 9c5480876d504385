using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Framing;

/// <summary>
/// Parses frames of SPEC.md §3 from a byte sequence:
/// <code>
/// +-----------------------------------------------+---------------+
/// |                 Length (24)                   |   Type (8)    |
/// +---------------+-+-------------------------------------------+-+
/// |   Flags (8)   |R|              Stream ID (31)                 |
/// +---------------+-+---------------------------------------------+
/// |                    Payload (Length bytes) ...                 |
/// +---------------------------------------------------------------+
/// </code>
/// Returns false for "need more bytes"; throws <see cref="MuxProtocolException"/> for a
/// frame that can never be valid, which ends the link.
/// </summary>
public static class MuxFrameReader
{
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out MuxFrameHeader header, out ReadOnlySequence<byte> payload)
    {
        header = default;
        payload = default;
        if (buffer.Length < MuxLimits.HeaderSize)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[MuxLimits.HeaderSize];
        buffer.Slice(0, MuxLimits.HeaderSize).CopyTo(raw);
        header = ParseHeader(raw);
        if (buffer.Length < MuxLimits.HeaderSize + (long)header.Length)
        {
            return false;
        }

        payload = buffer.Slice(MuxLimits.HeaderSize, header.Length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Decodes and validates a header: every rule that needs no stream state.</summary>
    public static MuxFrameHeader ParseHeader(ReadOnlySpan<byte> raw)
    {
        int length = (raw[0] << 16) | (raw[1] << 8) | raw[2];
        byte type = raw[3];
        var flags = (MuxFrameFlags)raw[4];
        // §3: the reserved bit is ignored on receipt.
        uint streamId = BinaryPrimitives.ReadUInt32BigEndian(raw[5..]) & MuxLimits.MaxStreamId;

        if (length > MuxLimits.MaxPayload)
        {
            throw new MuxProtocolException(MuxErrorCode.FrameSizeError, $"frame of {length} bytes exceeds the {MuxLimits.MaxPayload}-byte limit");
        }

        if (type > (byte)MuxFrameType.GoAway)
        {
            throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"unknown frame type 0x{type:x2}");
        }

        var header = new MuxFrameHeader(length, (MuxFrameType)type, flags, streamId);
        ValidateStreamScope(header);
        ValidateLength(header);
        return header;
    }

    private static void ValidateStreamScope(MuxFrameHeader header)
    {
        bool linkFrame = header.Type is MuxFrameType.Ping or MuxFrameType.GoAway;
        bool either = header.Type is MuxFrameType.WindowUpdate;
        if (either)
        {
            return;
        }

        if (linkFrame && header.StreamId != 0)
        {
            throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"{header.Type} frame on stream {header.StreamId}; it belongs to stream 0");
        }

        if (!linkFrame && header.StreamId == 0)
        {
            throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"{header.Type} frame on stream 0; it needs a stream");
        }
    }

    private static void ValidateLength(MuxFrameHeader header)
    {
        int length = header.Length;
        bool ok = header.Type switch
        {
            MuxFrameType.Data => length > 0 || header.HasFlag(MuxFrameFlags.Fin),
            MuxFrameType.Syn => length <= MuxLimits.MaxSynPayload,
            MuxFrameType.Ack => length == 0,
            MuxFrameType.WindowUpdate => length == 4,
            MuxFrameType.Rst or MuxFrameType.GoAway => length is >= 4 and <= 4 + MuxLimits.MaxReasonBytes,
            MuxFrameType.Ping => length == 8,
            _ => false,
        };
        if (!ok)
        {
            var code = header.Type == MuxFrameType.Data ? MuxErrorCode.ProtocolError : MuxErrorCode.FrameSizeError;
            throw new MuxProtocolException(code, $"{header.Type} frame with a {length}-byte payload is malformed");
        }
    }

    /// <summary>Reads the 32-bit value at the start of a payload (WINDOW_UPDATE, RST, GOAWAY).</summary>
    public static uint ReadUInt32(in ReadOnlySequence<byte> payload)
    {
        Span<byte> raw = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(raw);
        return BinaryPrimitives.ReadUInt32BigEndian(raw);
    }

    /// <summary>Reads the PING payload.</summary>
    public static long ReadInt64(in ReadOnlySequence<byte> payload)
    {
        Span<byte> raw = stackalloc byte[8];
        payload.Slice(0, 8).CopyTo(raw);
        return BinaryPrimitives.ReadInt64BigEndian(raw);
    }

    /// <summary>Reads RST or GOAWAY: a code and a reason. Invalid UTF-8 is replaced, not fatal.</summary>
    public static (MuxErrorCode Code, string Reason) ReadCodeAndReason(in ReadOnlySequence<byte> payload)
    {
        var code = (MuxErrorCode)ReadUInt32(payload);
        string reason = Encoding.UTF8.GetString(payload.Slice(4));
        return (code, reason);
    }
}
