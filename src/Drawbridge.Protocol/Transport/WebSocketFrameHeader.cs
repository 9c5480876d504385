namespace Drawbridge.Protocol.Transport;

/// <summary>A parsed frame header; <see cref="MaskKey"/> holds the key's four bytes in wire order
/// as they lie in memory (so XOR with it, read the same way, unmasks).</summary>
internal readonly record struct WebSocketFrameHeader(bool Fin, byte Reserved, WebSocketOpcode Opcode, bool Masked, long PayloadLength, uint MaskKey, int HeaderLength)
{
    public bool IsControl => ((byte)Opcode & 0x8) != 0;
}
