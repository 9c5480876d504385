using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Framing;

/// <summary>The SYN payload of SPEC.md §4.</summary>
public sealed class OpenMessageTests
{
    private static readonly Guid ConnectionId = Guid.Parse("c0ffee00-1234-4abc-8def-0123456789ab");

    [Fact]
    public void RoundTrip_KeepsEveryFieldIncludingAUnicodeIdentity()
    {
        var open = new OpenMessage("ssh.example.com", ConnectionId, "email:zoë.ñúñez@例え.jp 🙂", "203.0.113.9:52811");

        Assert.Equal(open, OpenMessage.Parse(Encode(open)));
    }

    [Fact]
    public void RoundTrip_WithOnlyTheRequiredFields_LeavesTheOthersNull()
    {
        var open = new OpenMessage("a", ConnectionId);

        OpenMessage parsed = OpenMessage.Parse(Encode(open));

        Assert.Equal(open, parsed);
        Assert.Null(parsed.Identity);
        Assert.Null(parsed.ClientAddress);
    }

    [Fact]
    public void RoundTrip_AtEveryFieldsLongestAllowedLength()
    {
        var open = new OpenMessage(new string('h', 253), ConnectionId, new string('i', 1_024), new string('c', 64));

        Assert.Equal(open, OpenMessage.Parse(Encode(open)));
        Assert.True(open.EncodedLength <= MuxLimits.MaxSynPayload);
    }

    [Fact]
    public void Parse_SplitAtAnyByte_GivesTheSameMessage()
    {
        var open = new OpenMessage("git.example.com", ConnectionId, "service-token:ci-🚀-runner", "192.0.2.1:1");
        byte[] bytes = Encode(open).ToArray();

        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(open, OpenMessage.Parse(SegmentedSequence.Create(bytes, cut)));
            Assert.Equal(open, OpenMessage.Parse(SegmentedSequence.Create(bytes, cut / 3, cut)));
        }

        Assert.Equal(open, OpenMessage.Parse(SegmentedSequence.OneBytePerSegment(bytes)));
    }

    [Fact]
    public void Parse_SkipsUnknownTags_WhereverTheyAre()
    {
        byte[] bytes = [.. Field(0x7F, [1, 2, 3]), .. Hostname("x.example"), .. Field(0x05, []), .. Id(), .. Field(0xFF, new byte[300])];

        Assert.Equal(new OpenMessage("x.example", ConnectionId), OpenMessage.Parse(SegmentedSequence.OneBytePerSegment(bytes)));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "hostname twice", [.. Hostname("a"), .. Id(), .. Hostname("b")] },
        { "connection id twice", [.. Hostname("a"), .. Id(), .. Id()] },
        { "identity twice", [.. Hostname("a"), .. Id(), .. Field(0x03, "x"u8), .. Field(0x03, "x"u8)] },
        { "client address twice", [.. Hostname("a"), .. Id(), .. Field(0x04, "1"u8), .. Field(0x04, "1"u8)] },
        { "no hostname", [.. Id()] },
        { "no connection id", [.. Hostname("a")] },
        { "empty message", [] },
        { "a lone tag byte", [.. Hostname("a"), .. Id(), 0x03] },
        { "a tag and half a length", [.. Hostname("a"), .. Id(), 0x03, 0x00] },
        { "a value past the end", [.. Hostname("a"), .. Id(), 0x03, 0x00, 0x05, (byte)'a', (byte)'b'] },
        { "an empty hostname", [.. Field(0x01, []), .. Id()] },
        { "a 254-byte hostname", [.. Hostname(new string('h', 254)), .. Id()] },
        { "a 1,025-byte identity", [.. Hostname("a"), .. Id(), .. Field(0x03, new byte[1_025])] },
        { "a 65-byte client address", [.. Hostname("a"), .. Id(), .. Field(0x04, new byte[65])] },
        { "a 15-byte connection id", [.. Hostname("a"), .. Field(0x02, new byte[15])] },
        { "a 17-byte connection id", [.. Hostname("a"), .. Field(0x02, new byte[17])] },
        { "a hostname that is not UTF-8", [.. Field(0x01, [0x61, 0xFF]), .. Id()] },
        { "an identity with a broken sequence", [.. Hostname("a"), .. Id(), .. Field(0x03, [0xC3, 0x28])] },
        { "a client address with an encoded surrogate", [.. Hostname("a"), .. Id(), .. Field(0x04, [0xED, 0xA0, 0x80])] },
        { "an identity cut inside a character", [.. Hostname("a"), .. Id(), .. Field(0x03, [0x7A, 0xC3])] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_IsAProtocolErrorForThatStreamOnly(string what, byte[] bytes)
    {
        var error = Assert.Throws<MuxStreamException>(() => OpenMessage.Parse(new ReadOnlySequence<byte>(bytes)));

        Assert.Equal(MuxErrorCode.ProtocolError, error.Code);
        Assert.False(error.ByPeer);
        Assert.StartsWith("malformed open message", error.Reason, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_FailsTheSameWaySplitIntoSingleBytes(string what, byte[] bytes)
    {
        var error = Assert.Throws<MuxStreamException>(() => OpenMessage.Parse(SegmentedSequence.OneBytePerSegment(bytes)));

        Assert.Equal(MuxErrorCode.ProtocolError, error.Code);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.very.long.name.")]
    public void Write_RefusesAHostnameOutsideOneTo253Bytes(string prefix)
    {
        string hostname = prefix.Length == 0 ? "" : prefix + new string('x', 253);
        var open = new OpenMessage(hostname, ConnectionId);

        Assert.Throws<ArgumentException>(() => open.Write(new byte[open.EncodedLength]));
    }

    [Fact]
    public void Write_PutsTheConnectionIdInNetworkOrder()
    {
        byte[] bytes = Encode(new OpenMessage("a", ConnectionId)).ToArray();

        Assert.Equal(Id(), bytes[4..]);
    }

    private static ReadOnlySequence<byte> Encode(OpenMessage open)
    {
        byte[] bytes = new byte[open.EncodedLength];
        open.Write(bytes);
        return new ReadOnlySequence<byte>(bytes);
    }

    private static byte[] Hostname(string hostname) => Field(0x01, Encoding.UTF8.GetBytes(hostname));

    private static byte[] Id()
    {
        byte[] value = new byte[16];
        Assert.True(ConnectionId.TryWriteBytes(value, bigEndian: true, out _));
        return Field(0x02, value);
    }

    private static byte[] Field(byte tag, ReadOnlySpan<byte> value)
    {
        byte[] field = new byte[3 + value.Length];
        field[0] = tag;
        BinaryPrimitives.WriteUInt16BigEndian(field.AsSpan(1), (ushort)value.Length);
        value.CopyTo(field.AsSpan(3));
        return field;
    }
}
