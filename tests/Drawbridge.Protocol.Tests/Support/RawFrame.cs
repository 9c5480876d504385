using System.Buffers;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>A frame read off the wire by a <see cref="RawMuxPeer"/>, its payload copied out.</summary>
internal sealed record RawFrame(MuxFrameHeader Header, byte[] Payload)
{
    public MuxFrameType Type => Header.Type;

    public uint StreamId => Header.StreamId;

    /// <summary>The error code of an RST or GOAWAY.</summary>
    public MuxErrorCode Code => MuxFrameReader.ReadCodeAndReason(new ReadOnlySequence<byte>(Payload)).Code;

    /// <summary>The reason text of an RST or GOAWAY.</summary>
    public string Reason => MuxFrameReader.ReadCodeAndReason(new ReadOnlySequence<byte>(Payload)).Reason;

    public override string ToString() => $"{Type} stream {StreamId} flags {Header.Flags} ({Payload.Length} bytes)";
}
