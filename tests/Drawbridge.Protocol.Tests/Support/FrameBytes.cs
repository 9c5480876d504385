using System.Buffers;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>Frames as bytes, for the framing tests: what <see cref="MuxFrameWriter"/> produced,
/// or a bare header with any values at all.</summary>
internal static class FrameBytes
{
    public static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Header(int length, byte type, byte flags, uint rawStreamId)
    {
        byte[] header = new byte[MuxLimits.HeaderSize];
        header[0] = (byte)(length >> 16);
        header[1] = (byte)(length >> 8);
        header[2] = (byte)length;
        header[3] = type;
        header[4] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), rawStreamId);
        return header;
    }

    /// <summary>Reads exactly one frame that fills <paramref name="bytes"/>.</summary>
    public static (MuxFrameHeader Header, byte[] Payload) ReadSingle(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader header, out ReadOnlySequence<byte> payload));
        Assert.True(buffer.IsEmpty);
        return (header, payload.ToArray());
    }
}
