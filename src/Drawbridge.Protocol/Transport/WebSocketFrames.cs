using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// RFC 6455 §5.2 frame headers and §5.3 masking:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-------+-+-------------+-------------------------------+
/// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
/// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
/// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
/// | |1|2|3|       |K|             |                               |
/// +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
/// |     Extended payload length continued, if payload len == 127  |
/// + - - - - - - - - - - - - - - - +-------------------------------+
/// |                               |Masking-key, if MASK set to 1  |
/// +-------------------------------+-------------------------------+
/// | Masking-key (continued)       |          Payload Data         |
/// +-------------------------------- - - - - - - - - - - - - - - - +
/// </code>
/// Parsing only splits the header; which frames are allowed is the stream's call.
/// </summary>
internal static class WebSocketFrames
{
    /// <summary>2 bytes, 8 of extended length, 4 of mask key.</summary>
    public const int MaxHeaderSize = 14;

    /// <summary>§5.5: a control frame carries at most 125 bytes.</summary>
    public const int MaxControlPayload = 125;

    /// <summary>False when <paramref name="buffer"/> does not hold the whole header yet.
    /// Throws <see cref="WebSocketProtocolException"/> for a 64-bit length with its top bit set (§5.2).</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out WebSocketFrameHeader header)
    {
        header = default;
        if (buffer.Length < 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxHeaderSize];
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= MaxHeaderSize)
        {
            first[..MaxHeaderSize].CopyTo(bytes);
        }
        else
        {
            buffer.Slice(0, Math.Min(buffer.Length, MaxHeaderSize)).CopyTo(bytes);
        }

        int available = (int)Math.Min(buffer.Length, MaxHeaderSize);
        bool masked = (bytes[1] & 0x80) != 0;
        int length7 = bytes[1] & 0x7F;
        int lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (available < headerLength)
        {
            return false;
        }

        long length = length7;
        if (length7 == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        }
        else if (length7 == 127)
        {
            ulong length64 = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
            if (length64 > long.MaxValue)
            {
                throw new WebSocketProtocolException("a frame length with its most significant bit set (RFC 6455 §5.2)");
            }

            length = (long)length64;
        }

        uint maskKey = masked ? MemoryMarshal.Read<uint>(bytes[(2 + lengthBytes)..]) : 0;
        header = new WebSocketFrameHeader(
            Fin: (bytes[0] & 0x80) != 0,
            Reserved: (byte)((bytes[0] >> 4) & 0x7),
            Opcode: (WebSocketOpcode)(bytes[0] & 0x0F),
            Masked: masked,
            PayloadLength: length,
            MaskKey: maskKey,
            HeaderLength: headerLength);
        return true;
    }

    /// <summary>The length of an unmasked header (the server's) for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int ServerHeaderSize(long payloadLength) => payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>Writes the header of an unmasked final frame (the server's, §5.1); returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, long payloadLength)
    {
        destination[0] = (byte)(0x80 | (byte)opcode);
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>The same over the segments of <paramref name="source"/>, the phase carried across them.</summary>
    public static int UnmaskCopy(in ReadOnlySequence<byte> source, Span<byte> destination, uint maskKey, int maskOffset)
    {
        int written = 0;
        foreach (ReadOnlyMemory<byte> segment in source)
        {
            maskOffset = UnmaskCopy(segment.Span, destination[written..], maskKey, maskOffset);
            written += segment.Length;
        }

        return maskOffset;
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> unmasking it (§5.3) in the
    /// same pass; <paramref name="maskOffset"/> is how many payload bytes of this frame came
    /// before. Returns the offset after these bytes (mod 4).
    /// </summary>
    public static int UnmaskCopy(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int maskOffset)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("the destination is shorter than the source", nameof(destination));
        }

        // The key as it applies from this byte on: byte i of the payload is XORed with key[(offset + i) % 4].
        uint mask = BitOperations.RotateRight(maskKey, 8 * (maskOffset & 3));
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        int length = source.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            Vector256<byte> mask256 = Vector256.Create(mask).AsByte();
            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref from, (nuint)i) ^ mask256).StoreUnsafe(ref to, (nuint)i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= Vector128<byte>.Count)
        {
            Vector128<byte> mask128 = Vector128.Create(mask).AsByte();
            for (; i <= length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref from, (nuint)i) ^ mask128).StoreUnsafe(ref to, (nuint)i);
            }
        }

        ulong mask64 = mask | ((ulong)mask << 32);
        for (; i <= length - sizeof(ulong); i += sizeof(ulong))
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i)) ^ mask64);
        }

        // i is a multiple of 4 here, so the tail starts at key byte 0 of the rotated mask.
        for (; i < length; i++)
        {
            Unsafe.Add(ref to, i) = (byte)(Unsafe.Add(ref from, i) ^ (mask >> (8 * (i & 3))));
        }

        return (maskOffset + length) & 3;
    }
}
