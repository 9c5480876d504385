using System.Buffers.Binary;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>RFC 6455 frames as raw bytes, built by hand so a test can send what no WebSocket
/// library would: unmasked client frames, reserved bits and opcodes, lying lengths.</summary>
internal static class RawWebSocketFrame
{
    public const byte Fin = 0x80;

    public static readonly byte[] DefaultKey = [0x37, 0xfa, 0x21, 0x3d];

    /// <summary>A client frame: <paramref name="first"/> is the first byte (FIN, RSV, opcode);
    /// masked with <paramref name="key"/> unless <paramref name="masked"/> is false.</summary>
    public static byte[] Client(byte first, ReadOnlySpan<byte> payload, bool masked = true, byte[]? key = null, ulong? declaredLength = null)
    {
        key ??= DefaultKey;
        ulong length = declaredLength ?? (ulong)payload.Length;
        var frame = new List<byte> { first };
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        if (length < 126)
        {
            frame.Add((byte)(maskBit | length));
        }
        else if (length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(length >> 8));
            frame.Add((byte)length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            byte[] extended = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(extended, length);
            frame.AddRange(extended);
        }

        if (masked)
        {
            frame.AddRange(key);
        }

        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add(masked ? (byte)(payload[i] ^ key[i % 4]) : payload[i]);
        }

        return [.. frame];
    }

    /// <summary>A Close frame's payload: the status, big-endian, then the reason's bytes.</summary>
    public static byte[] ClosePayload(int status, ReadOnlySpan<byte> reason)
    {
        byte[] payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        reason.CopyTo(payload.AsSpan(2));
        return payload;
    }
}
