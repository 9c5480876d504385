using System.Buffers;
using Drawbridge.Protocol.Tests.Support;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Protocol.Tests.Transport;

/// <summary>RFC 6455 §5.2 headers and §5.3 masking, against the RFC's own arithmetic done byte by byte.</summary>
public sealed class WebSocketFramesTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(125L)]
    [InlineData(126L)]
    [InlineData(65_535L)]
    [InlineData(65_536L)]
    [InlineData(1L << 40)]
    public void Header_AtEverySplit_IsIncompleteUntilWhole_ThenExact(long length)
    {
        byte[] key = [0x11, 0x22, 0x33, 0x44];
        byte[] header = RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Binary, [], key: key, declaredLength: (ulong)length);

        for (int cut = 0; cut < header.Length; cut++)
        {
            Assert.False(WebSocketFrames.TryReadHeader(new ReadOnlySequence<byte>(header, 0, cut), out _));
        }

        for (int cut = 1; cut < header.Length; cut++)
        {
            Assert.True(WebSocketFrames.TryReadHeader(SegmentedSequence.Create(header, cut), out WebSocketFrameHeader parsed));
            Assert.Equal((true, (byte)0, WebSocketOpcode.Binary, true, length, header.Length), (parsed.Fin, parsed.Reserved, parsed.Opcode, parsed.Masked, parsed.PayloadLength, parsed.HeaderLength));
            byte[] unmasked = new byte[4];
            WebSocketFrames.UnmaskCopy(key, unmasked, parsed.MaskKey, 0);
            Assert.Equal(new byte[4], unmasked); // the key XORed with itself
        }

        Assert.True(WebSocketFrames.TryReadHeader(SegmentedSequence.OneBytePerSegment(header), out _));
    }

    [Theory]
    [InlineData(0L, 2)]
    [InlineData(125L, 2)]
    [InlineData(126L, 4)]
    [InlineData(65_535L, 4)]
    [InlineData(65_536L, 10)]
    [InlineData(long.MaxValue, 10)]
    public void ServerHeader_UsesTheShortestLength_AndReadsBack(long length, int size)
    {
        byte[] header = new byte[WebSocketFrames.MaxHeaderSize];

        Assert.Equal(size, WebSocketFrames.WriteHeader(header, WebSocketOpcode.Close, length));

        Assert.True(WebSocketFrames.TryReadHeader(new ReadOnlySequence<byte>(header, 0, size), out WebSocketFrameHeader parsed));
        Assert.Equal((true, WebSocketOpcode.Close, false, length, size), (parsed.Fin, parsed.Opcode, parsed.Masked, parsed.PayloadLength, parsed.HeaderLength));
        Assert.True(parsed.IsControl);
    }

    [Fact]
    public void UnmaskCopy_MatchesTheRfc_ForEveryLengthAndPhase()
    {
        byte[] key = [0x9d, 0x04, 0xe7, 0x5a];
        uint maskKey = BitConverter.ToUInt32(key);
        byte[] source = Payload.Random(300, seed: 7);
        foreach (int length in Enumerable.Range(0, 140).Append(300))
        {
            for (int offset = 0; offset < 4; offset++)
            {
                // Misaligned on purpose: the vector loops must not assume anything about addresses.
                ReadOnlySpan<byte> from = source.AsSpan(1, Math.Min(length, source.Length - 1));
                byte[] to = new byte[from.Length + 3];

                int next = WebSocketFrames.UnmaskCopy(from, to.AsSpan(3), maskKey, offset);

                for (int i = 0; i < from.Length; i++)
                {
                    Assert.Equal((byte)(from[i] ^ key[(offset + i) % 4]), to[3 + i]);
                }

                Assert.Equal((offset + from.Length) % 4, next);
            }
        }
    }

    [Fact]
    public void UnmaskCopy_RefusesAShortDestination()
    {
        Assert.Throws<ArgumentException>(() => WebSocketFrames.UnmaskCopy(new byte[8], new byte[7], 0, 0));
    }
}
