using System.Buffers;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>
/// Speaking SPEC.md §3 frames by hand on a raw link to the real edge (a connector's link or a
/// client's link): well-formed frames come from the product's own <see cref="MuxFrameWriter"/>,
/// malformed ones from <see cref="Header"/> with any length, type and flags.
/// </summary>
internal static class RawLinkFrames
{
    /// <summary>Longer than any answer takes, shorter than the tests' timeouts, so a miss reports the log.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>A frame header with whatever values a test needs, valid or not.</summary>
    public static byte[] Header(int length, byte type, byte flags, uint streamId)
    {
        byte[] header = new byte[MuxLimits.HeaderSize];
        MuxFrameWriter.WriteHeader(header, length, (MuxFrameType)type, (MuxFrameFlags)flags, streamId);
        return header;
    }

    public static byte[] Syn(uint streamId, string hostname)
    {
        var output = new ArrayBufferWriter<byte>();
        MuxFrameWriter.WriteSyn(output, streamId, new OpenMessage(hostname, Guid.NewGuid()));
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Data(uint streamId, ReadOnlySpan<byte> bytes, bool fin)
    {
        var output = new ArrayBufferWriter<byte>();
        MuxFrameWriter.WriteData(output, streamId, bytes, fin);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The frames the edge sends, in order, each with a copy of its payload, until it closes the link.</summary>
    public static async IAsyncEnumerable<(MuxFrameHeader Header, ReadOnlySequence<byte> Payload)> ReadFramesAsync(WebSocketDuplexStream link)
    {
        using var deadline = new CancellationTokenSource(Limit);
        var received = new ArrayBufferWriter<byte>();
        int consumed = 0;
        byte[] chunk = new byte[4096];
        while (true)
        {
            int read = await link.ReadAsync(chunk, deadline.Token);
            if (read == 0)
            {
                yield break;
            }

            received.Write(chunk.AsSpan(0, read));
            var buffer = new ReadOnlySequence<byte>(received.WrittenMemory[consumed..]);
            while (MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader header, out ReadOnlySequence<byte> payload))
            {
                consumed = received.WrittenCount - (int)buffer.Length;
                yield return (header, new ReadOnlySequence<byte>(payload.ToArray()));
            }
        }
    }

    /// <summary>Reads frames until one of <paramref name="type"/> (skipping PINGs, ACKs, window updates).</summary>
    public static async Task<(MuxFrameHeader, ReadOnlySequence<byte>)> ReadFrameAsync(WebSocketDuplexStream link, MuxFrameType type)
    {
        await foreach ((MuxFrameHeader header, ReadOnlySequence<byte> payload) in ReadFramesAsync(link))
        {
            if (header.Type == type)
            {
                return (header, payload);
            }
        }

        throw new InvalidOperationException($"the edge closed the link without a {type}");
    }

    /// <summary>The code and reason of the edge's GOAWAY.</summary>
    public static async Task<(MuxErrorCode, string)> ReadGoAwayAsync(WebSocketDuplexStream link)
    {
        (_, ReadOnlySequence<byte> payload) = await ReadFrameAsync(link, MuxFrameType.GoAway);
        return MuxFrameReader.ReadCodeAndReason(payload);
    }

    /// <summary>How one stream ended: its DATA up to the FIN, or the code of the RST that ended it.</summary>
    public static async Task<(byte[] Data, MuxErrorCode? Reset)> ReadStreamAsync(WebSocketDuplexStream link, uint streamId)
    {
        var data = new ArrayBufferWriter<byte>();
        await foreach ((MuxFrameHeader header, ReadOnlySequence<byte> payload) in ReadFramesAsync(link))
        {
            if (header.StreamId != streamId)
            {
                continue;
            }

            if (header.Type == MuxFrameType.Rst)
            {
                return (data.WrittenSpan.ToArray(), MuxFrameReader.ReadCodeAndReason(payload).Code);
            }

            if (header.Type == MuxFrameType.Data)
            {
                foreach (ReadOnlyMemory<byte> segment in payload)
                {
                    data.Write(segment.Span);
                }

                if (header.HasFlag(MuxFrameFlags.Fin))
                {
                    return (data.WrittenSpan.ToArray(), null);
                }
            }
        }

        throw new InvalidOperationException($"the edge closed the link before stream {streamId} ended");
    }

}
