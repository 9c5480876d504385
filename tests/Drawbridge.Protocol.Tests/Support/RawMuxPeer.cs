using System.Buffers;
using System.IO.Pipelines;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>
/// The far end of a link with no session behind it: a test writes hand-crafted frames (or raw
/// bytes) to a <see cref="MuxSession"/> over an in-memory pipe and reads back what it sends.
/// </summary>
internal sealed class RawMuxPeer : IAsyncDisposable
{
    private readonly DuplexPipeStream _stream;
    private readonly PipeReader _input;
    private readonly ArrayBufferWriter<byte> _scratch = new();

    private RawMuxPeer(DuplexPipeStream stream)
    {
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <summary>A started session of <paramref name="sessionRole"/> and the raw peer facing it.</summary>
    public static (MuxSession Session, RawMuxPeer Peer) Start(MuxRole sessionRole, MuxSessionOptions? options = null)
    {
        var (sessionEnd, peerEnd) = DuplexPipeStream.CreatePair();
        var session = new MuxSession(sessionEnd, sessionRole, options);
        session.Start();
        return (session, new RawMuxPeer(peerEnd));
    }

    /// <summary>An acceptor session, the raw peer facing it, and stream 1, which the peer opened
    /// and the session accepted.</summary>
    public static async Task<(MuxSession Session, RawMuxPeer Peer, MuxStream Accepted)> StartWithStreamAsync(MuxSessionOptions? options = null)
    {
        var (session, peer) = Start(MuxRole.Acceptor, options);
        await peer.SendSynAsync(1);
        MuxStream accepted = (await session.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event))!;
        return (session, peer, accepted);
    }

    public async Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        _scratch.Clear();
        write(_scratch);
        await _stream.WriteAsync(_scratch.WrittenMemory);
    }

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>A header with any values at all, valid or not, followed by <paramref name="payload"/>.</summary>
    public Task SendHeaderAsync(int length, byte type, byte flags, uint rawStreamId, params byte[] payload) =>
        SendRawAsync([.. FrameBytes.Header(length, type, flags, rawStreamId), .. payload]);

    public Task SendSynAsync(uint streamId, string hostname = "ssh.example.com") =>
        SendAsync(w => MuxFrameWriter.WriteSyn(w, streamId, new OpenMessage(hostname, Guid.NewGuid())));

    /// <summary>DATA frames carrying <paramref name="length"/> zero bytes, split at the 64 KiB frame limit.</summary>
    public async Task SendDataAsync(uint streamId, int length, bool fin = false)
    {
        if (length == 0)
        {
            await SendAsync(w => MuxFrameWriter.WriteData(w, streamId, [], fin));
            return;
        }

        byte[] payload = new byte[Math.Min(length, MuxLimits.MaxPayload)];
        for (int left = length; left > 0;)
        {
            int count = Math.Min(left, payload.Length);
            left -= count;
            bool last = left == 0;
            await SendAsync(w => MuxFrameWriter.WriteData(w, streamId, payload.AsSpan(0, count), fin && last));
        }
    }

    public Task SendPingAsync(long opaque) => SendAsync(w => MuxFrameWriter.WritePing(w, opaque, ack: false));

    public ValueTask CompleteWritesAsync() => _stream.CompleteWritesAsync();

    /// <summary>The next frame the session sent; null once it closed its output.</summary>
    public async Task<RawFrame?> ReadFrameAsync()
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync().AsTask().WaitAsync(TestTimeouts.Event);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader header, out ReadOnlySequence<byte> payload))
            {
                var frame = new RawFrame(header, payload.ToArray());
                _input.AdvanceTo(buffer.Start);
                return frame;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                Assert.True(buffer.IsEmpty, $"the session's output ended inside a frame ({buffer.Length} bytes)");
                return null;
            }
        }
    }

    /// <summary>Reads until a frame of <paramref name="type"/>; the frames passed over are in <paramref name="skipped"/>.</summary>
    public async Task<RawFrame> ExpectAsync(MuxFrameType type, List<RawFrame>? skipped = null)
    {
        while (true)
        {
            RawFrame frame = await ReadFrameAsync() ?? throw new Xunit.Sdk.XunitException($"the link ended before a {type} frame arrived");
            if (frame.Type == type)
            {
                return frame;
            }

            skipped?.Add(frame);
        }
    }

    /// <summary>Reads to the end of the session's output and returns everything it sent.</summary>
    public async Task<List<RawFrame>> ReadToEndAsync()
    {
        var frames = new List<RawFrame>();
        while (await ReadFrameAsync() is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
