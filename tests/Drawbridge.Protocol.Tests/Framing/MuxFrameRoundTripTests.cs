using System.Buffers;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Framing;

public sealed class MuxFrameRoundTripTests
{
    private static readonly OpenMessage Open = new("db.example.com", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "email:zoë@example.com", "[2001:db8::1]:443");

    /// <summary>One small frame of every type and flag combination, by name.</summary>
    private static readonly Dictionary<string, byte[]> Samples = new()
    {
        ["DATA"] = FrameBytes.Write(w => MuxFrameWriter.WriteData(w, 1, "hello"u8, fin: false)),
        ["DATA+FIN"] = FrameBytes.Write(w => MuxFrameWriter.WriteData(w, 3, "bye"u8, fin: true)),
        ["empty DATA+FIN"] = FrameBytes.Write(w => MuxFrameWriter.WriteData(w, 5, [], fin: true)),
        ["SYN"] = FrameBytes.Write(w => MuxFrameWriter.WriteSyn(w, 7, Open)),
        ["ACK"] = FrameBytes.Write(w => MuxFrameWriter.WriteAck(w, 9)),
        ["stream WINDOW_UPDATE"] = FrameBytes.Write(w => MuxFrameWriter.WriteWindowUpdate(w, 11, 131_072)),
        ["link WINDOW_UPDATE"] = FrameBytes.Write(w => MuxFrameWriter.WriteWindowUpdate(w, 0, int.MaxValue)),
        ["RST"] = FrameBytes.Write(w => MuxFrameWriter.WriteRst(w, 13, MuxErrorCode.OriginRefused, "connect: connection refused")),
        ["PING"] = FrameBytes.Write(w => MuxFrameWriter.WritePing(w, 0x0102030405060708, ack: false)),
        ["PING ACK"] = FrameBytes.Write(w => MuxFrameWriter.WritePing(w, -1, ack: true)),
        ["GOAWAY"] = FrameBytes.Write(w => MuxFrameWriter.WriteGoAway(w, MuxErrorCode.GoingAway, "edge restarting")),
    };

    public static TheoryData<string> SampleNames => [.. Samples.Keys];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void EveryFrame_SplitAtAnyByte_IsReadWhenCompleteAndNotBefore(string name)
    {
        byte[] frame = Samples[name];
        var (expectedHeader, expectedPayload) = FrameBytes.ReadSingle(frame);

        for (int length = 0; length < frame.Length; length++)
        {
            for (int cut = 0; cut <= length; cut++)
            {
                var partial = SegmentedSequence.Create(frame.AsSpan(0, length), cut);
                var buffer = partial;
                Assert.False(MuxFrameReader.TryReadFrame(ref buffer, out _, out _), $"{name}: {length} of {frame.Length} bytes, cut at {cut}");
                Assert.Equal(partial.Length, buffer.Length);
            }
        }

        for (int cut = 0; cut <= frame.Length; cut++)
        {
            AssertReadsAs(SegmentedSequence.Create(frame, cut), expectedHeader, expectedPayload);
            AssertReadsAs(SegmentedSequence.Create(frame, cut / 2, cut), expectedHeader, expectedPayload);
        }

        AssertReadsAs(SegmentedSequence.OneBytePerSegment(frame), expectedHeader, expectedPayload);
    }

    [Fact]
    public void FramesBackToBack_AreReadOneAtATime_LeavingAPartialOneBuffered()
    {
        byte[] bytes = [.. Samples["SYN"], .. Samples["DATA"], .. Samples["PING"].AsSpan(0, 5)];
        var buffer = SegmentedSequence.Create(bytes, 3, 40);

        Assert.True(MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader first, out _));
        Assert.True(MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader second, out ReadOnlySequence<byte> data));
        Assert.False(MuxFrameReader.TryReadFrame(ref buffer, out _, out _));

        Assert.Equal(MuxFrameType.Syn, first.Type);
        Assert.Equal(MuxFrameType.Data, second.Type);
        Assert.Equal("hello"u8.ToArray(), data.ToArray());
        Assert.Equal(5, buffer.Length);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1000, true)]
    [InlineData(MuxLimits.MaxPayload, false)]
    [InlineData(MuxLimits.MaxPayload, true)]
    public void Data_RoundTripsItsBytesAndFin(int length, bool fin)
    {
        byte[] bytes = Payload.Random(length, seed: length);

        var (header, payload) = FrameBytes.ReadSingle(FrameBytes.Write(w => MuxFrameWriter.WriteData(w, 0x7FFF_FFFF, bytes, fin)));

        Assert.Equal(new MuxFrameHeader(length, MuxFrameType.Data, fin ? MuxFrameFlags.Fin : MuxFrameFlags.None, 0x7FFF_FFFF), header);
        Assert.Equal(bytes, payload);
    }

    [Fact]
    public void Data_EmptyWithFin_RoundTrips()
    {
        var (header, payload) = FrameBytes.ReadSingle(Samples["empty DATA+FIN"]);

        Assert.Equal(new MuxFrameHeader(0, MuxFrameType.Data, MuxFrameFlags.Fin, 5), header);
        Assert.Empty(payload);
    }

    [Fact]
    public void Syn_RoundTripsTheOpenMessage()
    {
        var (header, payload) = FrameBytes.ReadSingle(Samples["SYN"]);

        Assert.Equal(MuxFrameType.Syn, header.Type);
        Assert.Equal(7u, header.StreamId);
        Assert.Equal(Open, OpenMessage.Parse(new ReadOnlySequence<byte>(payload)));
    }

    [Fact]
    public void Ack_RoundTripsWithAnEmptyPayload()
    {
        var (header, payload) = FrameBytes.ReadSingle(Samples["ACK"]);

        Assert.Equal(new MuxFrameHeader(0, MuxFrameType.Ack, MuxFrameFlags.None, 9), header);
        Assert.Empty(payload);
    }

    [Theory]
    [InlineData(11u, 1)]
    [InlineData(11u, 131_072)]
    [InlineData(0u, int.MaxValue)]
    public void WindowUpdate_RoundTripsItsIncrementOnAStreamOrTheLink(uint streamId, int increment)
    {
        var (header, payload) = FrameBytes.ReadSingle(FrameBytes.Write(w => MuxFrameWriter.WriteWindowUpdate(w, streamId, increment)));

        Assert.Equal(new MuxFrameHeader(4, MuxFrameType.WindowUpdate, MuxFrameFlags.None, streamId), header);
        Assert.Equal((uint)increment, MuxFrameReader.ReadUInt32(new ReadOnlySequence<byte>(payload)));
    }

    [Fact]
    public void Rst_RoundTripsItsCodeAndReason()
    {
        var (header, payload) = FrameBytes.ReadSingle(Samples["RST"]);

        Assert.Equal(MuxFrameType.Rst, header.Type);
        Assert.Equal(13u, header.StreamId);
        Assert.Equal((MuxErrorCode.OriginRefused, "connect: connection refused"), MuxFrameReader.ReadCodeAndReason(new ReadOnlySequence<byte>(payload)));
    }

    [Theory]
    [InlineData(MuxFrameType.Rst)]
    [InlineData(MuxFrameType.GoAway)]
    public void CodeAndReason_ALongReasonIsCutAtACharacterBoundaryWithinTheLimit(MuxFrameType type)
    {
        string reason = string.Concat(Enumerable.Repeat("é🙂x", 300)); // 2 + 4 + 1 bytes, repeated past 1,024

        byte[] frame = FrameBytes.Write(w =>
        {
            if (type == MuxFrameType.Rst)
            {
                MuxFrameWriter.WriteRst(w, 1, MuxErrorCode.Cancel, reason);
            }
            else
            {
                MuxFrameWriter.WriteGoAway(w, MuxErrorCode.Cancel, reason);
            }
        });
        var (header, payload) = FrameBytes.ReadSingle(frame);
        var (code, received) = MuxFrameReader.ReadCodeAndReason(new ReadOnlySequence<byte>(payload));

        Assert.Equal(type, header.Type);
        Assert.Equal(MuxErrorCode.Cancel, code);
        Assert.InRange(payload.Length - 4, MuxLimits.MaxReasonBytes - 3, MuxLimits.MaxReasonBytes);
        Assert.StartsWith(received, reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', received);
    }

    [Theory]
    [InlineData(0x0102030405060708, false)]
    [InlineData(-1, true)]
    public void Ping_RoundTripsItsOpaqueValueAndAck(long opaque, bool ack)
    {
        var (header, payload) = FrameBytes.ReadSingle(FrameBytes.Write(w => MuxFrameWriter.WritePing(w, opaque, ack)));

        Assert.Equal(new MuxFrameHeader(8, MuxFrameType.Ping, ack ? MuxFrameFlags.PingAck : MuxFrameFlags.None, 0), header);
        Assert.Equal(opaque, MuxFrameReader.ReadInt64(new ReadOnlySequence<byte>(payload)));
    }

    [Fact]
    public void GoAway_RoundTripsOnStreamZeroWithItsCodeAndReason()
    {
        var (header, payload) = FrameBytes.ReadSingle(Samples["GOAWAY"]);

        Assert.Equal(MuxFrameType.GoAway, header.Type);
        Assert.Equal(0u, header.StreamId);
        Assert.Equal((MuxErrorCode.GoingAway, "edge restarting"), MuxFrameReader.ReadCodeAndReason(new ReadOnlySequence<byte>(payload)));
    }

    [Fact]
    public void PayloadReaders_SplitAtAnyByte_ReadTheSameValues()
    {
        byte[] codeAndReason = [0, 0, 0, 9, .. "refusé"u8];
        byte[] opaque = [0x80, 1, 2, 3, 4, 5, 6, 7];

        for (int cut = 0; cut <= codeAndReason.Length; cut++)
        {
            Assert.Equal((MuxErrorCode.OriginRefused, "refusé"), MuxFrameReader.ReadCodeAndReason(SegmentedSequence.Create(codeAndReason, cut)));
            Assert.Equal(9u, MuxFrameReader.ReadUInt32(SegmentedSequence.Create(codeAndReason, cut / 2, cut)));
        }

        for (int cut = 0; cut <= opaque.Length; cut++)
        {
            Assert.Equal(unchecked((long)0x8001020304050607), MuxFrameReader.ReadInt64(SegmentedSequence.Create(opaque, cut)));
        }

        Assert.Equal((MuxErrorCode.OriginRefused, "refusé"), MuxFrameReader.ReadCodeAndReason(SegmentedSequence.OneBytePerSegment(codeAndReason)));
    }

    [Fact]
    public void CodeAndReason_InvalidUtf8InTheReasonIsReplacedNotFatal()
    {
        byte[] payload = [0, 0, 0, 2, (byte)'o', (byte)'k', 0xFF];

        var (code, reason) = MuxFrameReader.ReadCodeAndReason(SegmentedSequence.Create(payload, 2, 6));

        Assert.Equal(MuxErrorCode.InternalError, code);
        Assert.Equal("ok\uFFFD", reason);
    }

    [Fact]
    public void CodeAndReason_AnUnknownCodeComesThroughAsItsNumber()
    {
        var (header, payload) = FrameBytes.ReadSingle(FrameBytes.Write(w => MuxFrameWriter.WriteRst(w, 1, (MuxErrorCode)999, "")));

        Assert.Equal(4, header.Length);
        Assert.Equal((MuxErrorCode)999, MuxFrameReader.ReadCodeAndReason(new ReadOnlySequence<byte>(payload)).Code);
    }

    private static void AssertReadsAs(ReadOnlySequence<byte> sequence, MuxFrameHeader expectedHeader, byte[] expectedPayload)
    {
        var buffer = sequence;
        Assert.True(MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader header, out ReadOnlySequence<byte> payload));
        Assert.Equal(expectedHeader, header);
        Assert.Equal(expectedPayload, payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }
}
