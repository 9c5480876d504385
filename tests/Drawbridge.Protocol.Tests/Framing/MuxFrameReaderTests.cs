using System.Buffers;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Framing;

/// <summary>The header rules of SPEC.md §3 that need no stream state.</summary>
public sealed class MuxFrameReaderTests
{
    private const byte Data = (byte)MuxFrameType.Data;
    private const byte Syn = (byte)MuxFrameType.Syn;
    private const byte Ack = (byte)MuxFrameType.Ack;
    private const byte WindowUpdate = (byte)MuxFrameType.WindowUpdate;
    private const byte Rst = (byte)MuxFrameType.Rst;
    private const byte Ping = (byte)MuxFrameType.Ping;
    private const byte GoAway = (byte)MuxFrameType.GoAway;

    [Theory]
    [InlineData(MuxLimits.MaxPayload + 1)]
    [InlineData(0xFF_FFFF)]
    public void Length_OverTheLimit_IsAFrameSizeError(int length)
    {
        var error = Assert.Throws<MuxProtocolException>(() => Parse(length, Data, 0, 1));

        Assert.Equal(MuxErrorCode.FrameSizeError, error.Code);
    }

    [Fact]
    public void Length_AtTheLimit_IsAccepted()
    {
        Assert.Equal(MuxLimits.MaxPayload, Parse(MuxLimits.MaxPayload, Data, 0, 1).Length);
    }

    [Fact]
    public void Length_OverTheLimit_FailsAsSoonAsTheHeaderArrives()
    {
        var buffer = new ReadOnlySequence<byte>(FrameBytes.Header(MuxLimits.MaxPayload + 1, Data, 0, 1));

        var error = Assert.Throws<MuxProtocolException>(() => MuxFrameReader.TryReadFrame(ref buffer, out _, out _));

        Assert.Equal(MuxErrorCode.FrameSizeError, error.Code);
    }

    [Theory]
    [InlineData(0x07)]
    [InlineData(0x80)]
    [InlineData(0xFF)]
    public void Type_Unknown_IsAProtocolError(byte type)
    {
        var error = Assert.Throws<MuxProtocolException>(() => Parse(0, type, 0, 1));

        Assert.Equal(MuxErrorCode.ProtocolError, error.Code);
        Assert.Contains("unknown frame type", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Ping, 8)]
    [InlineData(GoAway, 4)]
    public void LinkFrame_OnANonZeroStream_IsAProtocolError(byte type, int length)
    {
        var error = Assert.Throws<MuxProtocolException>(() => Parse(length, type, 0, 1));

        Assert.Equal(MuxErrorCode.ProtocolError, error.Code);
    }

    [Theory]
    [InlineData(Data, 1)]
    [InlineData(Syn, 20)]
    [InlineData(Ack, 0)]
    [InlineData(Rst, 4)]
    public void StreamFrame_OnStreamZero_IsAProtocolError(byte type, int length)
    {
        var error = Assert.Throws<MuxProtocolException>(() => Parse(length, type, 0, 0));

        Assert.Equal(MuxErrorCode.ProtocolError, error.Code);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    public void WindowUpdate_IsValidOnTheLinkAndOnAStream(uint streamId)
    {
        Assert.Equal(streamId, Parse(4, WindowUpdate, 0, streamId).StreamId);
    }

    [Theory]
    [InlineData(Syn, MuxLimits.MaxSynPayload + 1)]
    [InlineData(Ack, 1)]
    [InlineData(WindowUpdate, 0)]
    [InlineData(WindowUpdate, 3)]
    [InlineData(WindowUpdate, 5)]
    [InlineData(Rst, 0)]
    [InlineData(Rst, 3)]
    [InlineData(Rst, 4 + MuxLimits.MaxReasonBytes + 1)]
    [InlineData(Ping, 0)]
    [InlineData(Ping, 7)]
    [InlineData(Ping, 9)]
    [InlineData(GoAway, 3)]
    [InlineData(GoAway, 4 + MuxLimits.MaxReasonBytes + 1)]
    public void Payload_OfTheWrongSizeForItsType_IsAFrameSizeError(byte type, int length)
    {
        uint streamId = type is Ping or GoAway ? 0u : 1u;

        var error = Assert.Throws<MuxProtocolException>(() => Parse(length, type, 0, streamId));

        Assert.Equal(MuxErrorCode.FrameSizeError, error.Code);
    }

    [Theory]
    [InlineData(Syn, MuxLimits.MaxSynPayload)]
    [InlineData(Syn, 0)] // the open message's own rules reject it later, for that stream only
    [InlineData(Rst, 4)]
    [InlineData(Rst, 4 + MuxLimits.MaxReasonBytes)]
    [InlineData(GoAway, 4 + MuxLimits.MaxReasonBytes)]
    public void Payload_AtTheEdgesOfItsAllowedSize_IsAccepted(byte type, int length)
    {
        uint streamId = type is GoAway ? 0u : 1u;

        Assert.Equal(length, Parse(length, type, 0, streamId).Length);
    }

    [Fact]
    public void Data_EmptyWithoutFin_IsAProtocolError()
    {
        var error = Assert.Throws<MuxProtocolException>(() => Parse(0, Data, 0, 1));

        Assert.Equal(MuxErrorCode.ProtocolError, error.Code);
    }

    [Fact]
    public void ReservedBit_IsIgnored()
    {
        Assert.Equal(5u, Parse(1, Data, 0, 0x8000_0005).StreamId);
        Assert.Equal(0u, Parse(8, Ping, 0, 0x8000_0000).StreamId);
    }

    [Fact]
    public void StreamId_UsesAll31Bits()
    {
        Assert.Equal(MuxLimits.MaxStreamId, Parse(0, Ack, 0, 0xFFFF_FFFF).StreamId);
    }

    [Fact]
    public void Flags_NotDefinedForTheType_AreIgnored()
    {
        MuxFrameHeader header = Parse(0, Ack, 0xFF, 3);

        Assert.Equal(MuxFrameType.Ack, header.Type);
        Assert.Equal(3u, header.StreamId);
    }

    [Fact]
    public void Writer_SetsTheReservedBitToZero()
    {
        byte[] frame = FrameBytes.Write(w => MuxFrameWriter.WriteAck(w, 0xFFFF_FFFF));

        Assert.Equal(0x7F, frame[5]);
    }

    private static MuxFrameHeader Parse(int length, byte type, byte flags, uint rawStreamId) =>
        MuxFrameReader.ParseHeader(FrameBytes.Header(length, type, flags, rawStreamId));
}
