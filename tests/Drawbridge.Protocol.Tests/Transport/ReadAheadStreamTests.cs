using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Tests.Support;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Protocol.Tests.Transport;

/// <summary>The read-ahead under TLS on the connection to the edge: what it asks of the socket
/// for the reads TLS makes (a zero-byte read, then at most one record), and that every byte
/// arrives once, in order, through a real SslStream on loopback TCP.</summary>
public sealed class ReadAheadStreamTests
{
    private const int Record = 16_384 + 5 + 22; // the most one TLS 1.3 record takes on the wire

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task RecordSizedReads_AreAnsweredFromOneLargeReadOfTheSocket()
    {
        var inner = new ScriptedStream();
        byte[] sent = Payload.Random(ReadAheadStream.BufferSize * 2, seed: 1);
        inner.Add(sent);
        using var stream = new ReadAheadStream(inner);

        var received = new List<byte>();
        byte[] buffer = new byte[Record];
        while (received.Count < sent.Length)
        {
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty)); // TLS waits for data first
            int read = await stream.ReadAsync(buffer);
            received.AddRange(buffer.AsSpan(0, read));
        }

        // A fresh connection waits without a buffer (0); from then on each read fills the buffer,
        // and 2 socket reads serve 16 TLS reads (8 of them zero-byte).
        Assert.Equal(sent, received.ToArray());
        Assert.Equal([0, ReadAheadStream.BufferSize, ReadAheadStream.BufferSize], inner.Requests);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ZeroByteRead_WithBytesBuffered_ReturnsAtOnceWithoutTheSocket()
    {
        var inner = new ScriptedStream();
        inner.Add(Payload.Random(100, seed: 2));
        using var stream = new ReadAheadStream(inner);

        Assert.Equal(10, await stream.ReadAsync(new byte[10]));
        ValueTask<int> zero = stream.ReadAsync(Memory<byte>.Empty);

        Assert.True(zero.IsCompleted);
        Assert.Equal(0, await zero);
        Assert.Equal(90, await stream.ReadAsync(new byte[1000]));
        Assert.Single(inner.Requests);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ZeroByteRead_OnAQuietConnection_WaitsForDataWithoutABuffer()
    {
        var inner = new ScriptedStream();
        inner.Add(new byte[50]); // less than a full buffer: the socket was drained
        using var stream = new ReadAheadStream(inner);
        Assert.Equal(50, await stream.ReadAsync(new byte[100]));

        ValueTask<int> wait = stream.ReadAsync(Memory<byte>.Empty);
        Assert.False(wait.IsCompleted);
        inner.Add([1, 2, 3]);
        Assert.Equal(0, await wait.AsTask().WaitAsync(TestTimeouts.Event));
        byte[] buffer = new byte[10];
        Assert.Equal(3, await stream.ReadAsync(buffer));

        Assert.Equal([1, 2, 3], buffer[..3]);
        Assert.Equal([ReadAheadStream.BufferSize, 0, ReadAheadStream.BufferSize], inner.Requests);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ZeroByteRead_WhileBusy_ReadsAtOnce()
    {
        // The last read filled the whole buffer: more is surely waiting, so the zero-byte read
        // does the real read (one system call) instead of a peek followed by it (two).
        var inner = new ScriptedStream();
        inner.Add(new byte[ReadAheadStream.BufferSize]);
        inner.Add(new byte[7]);
        using var stream = new ReadAheadStream(inner);
        Assert.Equal(ReadAheadStream.BufferSize, await stream.ReadAsync(new byte[ReadAheadStream.BufferSize - 1]) + await stream.ReadAsync(new byte[1]));

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal(7, await stream.ReadAsync(new byte[Record]));

        Assert.Equal([ReadAheadStream.BufferSize, ReadAheadStream.BufferSize], inner.Requests);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ReadAsLargeAsTheBuffer_GoesStraightToTheSocket()
    {
        var inner = new ScriptedStream();
        inner.Add(Payload.Random(1000, seed: 3));
        using var stream = new ReadAheadStream(inner);

        Assert.Equal(1000, await stream.ReadAsync(new byte[ReadAheadStream.BufferSize * 2]));
        Assert.Equal([ReadAheadStream.BufferSize * 2], inner.Requests);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task EndOfStream_IsZero_ForEveryKindOfRead()
    {
        var inner = new ScriptedStream();
        inner.Add([9]);
        inner.End();
        using var stream = new ReadAheadStream(inner);

        Assert.Equal(1, await stream.ReadAsync(new byte[10]));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        Assert.Equal(0, stream.Read(new byte[10]));
    }

    [Fact]
    public void SynchronousReads_AreBufferedTheSameWay()
    {
        var inner = new ScriptedStream();
        byte[] sent = Payload.Random(3 * Record, seed: 4);
        inner.Add(sent);
        using var stream = new ReadAheadStream(inner);

        byte[] received = new byte[sent.Length];
        int at = 0;
        while (at < sent.Length)
        {
            at += stream.Read(received.AsSpan(at, Math.Min(Record, sent.Length - at)));
        }

        Assert.Equal(sent, received);
        Assert.Equal([ReadAheadStream.BufferSize], inner.Requests);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Writes_PassStraightThrough()
    {
        var inner = new ScriptedStream();
        using var stream = new ReadAheadStream(inner);

        await stream.WriteAsync("abc"u8.ToArray());
        stream.Write("de"u8);
        await stream.FlushAsync();

        Assert.Equal("abcde"u8.ToArray(), inner.Written.ToArray());
    }

    [Fact(Timeout = TestTimeouts.Heavy)]
    public async Task UnderTls_OnLoopbackTcp_EveryByteArrivesBothWays()
    {
        using X509Certificate2 certificate = SelfSignedCertificate.CreateForLocalhost();
        var (clientTcp, serverTcp) = await LoopbackTcp.ConnectPairAsync();
        await using var client = new SslStream(new ReadAheadStream(clientTcp), leaveInnerStreamOpen: false, (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString());
        await using var server = new SslStream(serverTcp, leaveInnerStreamOpen: false);
        await Task.WhenAll(
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }),
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate })).WaitAsync(TestTimeouts.Event);
        int[] pieces = [1, 16_384, 16_385, 65_536, 65_535, 200_000, 7, 300];
        long length = pieces.Sum() * 8L;

        // Both ways at once, read by count: no TLS shutdown, which OpenSSL must not run while
        // the same connection decrypts on another thread.
        Task<(long, byte[])> atClient = Payload.ReadHashedAsync(client, length);
        Task<(long, byte[])> atServer = Payload.ReadHashedAsync(server, length);
        Task<(long, byte[])> down = Payload.WriteRandomInPiecesAsync(server, pieces, rounds: 8, seed: 5);
        Task<(long, byte[])> up = Payload.WriteRandomInPiecesAsync(client, pieces, rounds: 8, seed: 6);

        Assert.Equal(Payload.Digest(await up.WaitAsync(TestTimeouts.Transfer)), Payload.Digest(await atServer.WaitAsync(TestTimeouts.Transfer)));
        Assert.Equal(Payload.Digest(await down.WaitAsync(TestTimeouts.Transfer)), Payload.Digest(await atClient.WaitAsync(TestTimeouts.Transfer)));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Dispose_EndsAPendingRead_AndClosesTheSocket()
    {
        var (clientTcp, serverTcp) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = serverTcp;
        var stream = new ReadAheadStream(clientTcp);
        Task<int> pending = stream.ReadAsync(new byte[100]).AsTask();

        stream.Dispose();

        // The socket's close ends the read as an abort or, if it had not started waiting yet, as
        // the end of the stream; either way it returns no bytes and does not hang.
        Exception? failure = await Xunit.Record.ExceptionAsync(async () => Assert.Equal(0, await pending.WaitAsync(TestTimeouts.Event)));
        Assert.True(failure is null or IOException or ObjectDisposedException or System.Net.Sockets.SocketException, $"the read ended with {failure}");
        Assert.Equal(0, await serverTcp.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Event));
    }

    /// <summary>A socket stand-in: reads take from the chunks added so far (waiting when there
    /// are none), at most what was asked; every read's requested length is recorded.</summary>
    private sealed class ScriptedStream : DuplexStream
    {
        private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
        private byte[] _current = [];
        private int _at;

        public List<int> Requests { get; } = [];

        public MemoryStream Written { get; } = new();

        public void Add(byte[] chunk) => _chunks.Writer.TryWrite(chunk);

        public void End() => _chunks.Writer.TryComplete();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Requests.Add(buffer.Length);
            while (_at == _current.Length)
            {
                if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
                {
                    return 0;
                }

                if (buffer.IsEmpty)
                {
                    return 0; // data is there: a zero-byte read completes without taking it
                }

                _current = await _chunks.Reader.ReadAsync(cancellationToken);
                _at = 0;
            }

            int count = Math.Min(buffer.Length, _current.Length - _at);
            _current.AsSpan(_at, count).CopyTo(buffer.Span);
            _at += count;
            return count;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
