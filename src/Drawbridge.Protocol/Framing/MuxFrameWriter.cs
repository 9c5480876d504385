using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Framing;

/// <summary>Writes the frames of SPEC.md §3 into a buffer writer.</summary>
public static class MuxFrameWriter
{
    public static void WriteHeader(Span<byte> destination, int length, MuxFrameType type, MuxFrameFlags flags, uint streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = (byte)type;
        destination[4] = (byte)flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], streamId & MuxLimits.MaxStreamId);
    }

    public static void WriteData(IBufferWriter<byte> output, uint streamId, ReadOnlySpan<byte> payload, bool fin)
    {
        Span<byte> span = output.GetSpan(MuxLimits.HeaderSize + payload.Length);
        WriteHeader(span, payload.Length, MuxFrameType.Data, fin ? MuxFrameFlags.Fin : MuxFrameFlags.None, streamId);
        payload.CopyTo(span[MuxLimits.HeaderSize..]);
        output.Advance(MuxLimits.HeaderSize + payload.Length);
    }

    public static void WriteSyn(IBufferWriter<byte> output, uint streamId, OpenMessage open)
    {
        int length = open.EncodedLength;
        Span<byte> span = output.GetSpan(MuxLimits.HeaderSize + length);
        WriteHeader(span, length, MuxFrameType.Syn, MuxFrameFlags.None, streamId);
        open.Write(span.Slice(MuxLimits.HeaderSize, length));
        output.Advance(MuxLimits.HeaderSize + length);
    }

    public static void WriteAck(IBufferWriter<byte> output, uint streamId)
    {
        WriteHeader(output.GetSpan(MuxLimits.HeaderSize), 0, MuxFrameType.Ack, MuxFrameFlags.None, streamId);
        output.Advance(MuxLimits.HeaderSize);
    }

    public static void WriteWindowUpdate(IBufferWriter<byte> output, uint streamId, int increment)
    {
        Span<byte> span = output.GetSpan(MuxLimits.HeaderSize + 4);
        WriteHeader(span, 4, MuxFrameType.WindowUpdate, MuxFrameFlags.None, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[MuxLimits.HeaderSize..], (uint)increment);
        output.Advance(MuxLimits.HeaderSize + 4);
    }

    public static void WritePing(IBufferWriter<byte> output, long opaque, bool ack)
    {
        Span<byte> span = output.GetSpan(MuxLimits.HeaderSize + 8);
        WriteHeader(span, 8, MuxFrameType.Ping, ack ? MuxFrameFlags.PingAck : MuxFrameFlags.None, 0);
        BinaryPrimitives.WriteInt64BigEndian(span[MuxLimits.HeaderSize..], opaque);
        output.Advance(MuxLimits.HeaderSize + 8);
    }

    public static void WriteRst(IBufferWriter<byte> output, uint streamId, MuxErrorCode code, string reason) =>
        WriteCodeAndReason(output, MuxFrameType.Rst, streamId, code, reason);

    public static void WriteGoAway(IBufferWriter<byte> output, MuxErrorCode code, string reason) =>
        WriteCodeAndReason(output, MuxFrameType.GoAway, 0, code, reason);

    private static void WriteCodeAndReason(IBufferWriter<byte> output, MuxFrameType type, uint streamId, MuxErrorCode code, string reason)
    {
        int reasonBytes = Utf8Prefix(reason, MuxLimits.MaxReasonBytes);
        int length = 4 + reasonBytes;
        Span<byte> span = output.GetSpan(MuxLimits.HeaderSize + length);
        WriteHeader(span, length, type, MuxFrameFlags.None, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[MuxLimits.HeaderSize..], (uint)code);
        Encoding.UTF8.GetBytes(reason.AsSpan(0, CharsFor(reason, reasonBytes)), span[(MuxLimits.HeaderSize + 4)..]);
        output.Advance(MuxLimits.HeaderSize + length);
    }

    /// <summary>Byte length of the longest prefix of <paramref name="text"/> that fits in <paramref name="maxBytes"/>
    /// without splitting a character.</summary>
    internal static int Utf8Prefix(string text, int maxBytes)
    {
        int total = Encoding.UTF8.GetByteCount(text);
        if (total <= maxBytes)
        {
            return total;
        }

        return Encoding.UTF8.GetByteCount(text.AsSpan(0, CharsFor(text, maxBytes)));
    }

    private static int CharsFor(string text, int maxBytes)
    {
        int bytes = 0;
        int i = 0;
        while (i < text.Length)
        {
            int width = char.IsSurrogatePair(text, i) ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(text.AsSpan(i, width));
            if (bytes + size > maxBytes)
            {
                break;
            }

            bytes += size;
            i += width;
        }

        return i;
    }
}
