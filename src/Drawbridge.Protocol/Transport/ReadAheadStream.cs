using System.Buffers;
using System.Runtime.CompilerServices;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// The connection to the edge as TLS reads it. SslStream waits for every TLS record with a
/// zero-byte read and then reads at most that record (16 KiB); on a socket that is two system
/// calls per 16 KiB, a one-byte <c>MSG_PEEK</c> (how .NET waits for data without a buffer) and a
/// <c>recv</c>. This stream takes what the socket holds, up to 64 KiB, in one <c>recv</c> and
/// answers the TLS layer's reads from it. While the connection is busy (the last read filled
/// the buffer) a zero-byte read reads at once; after a read that drained the socket the buffer
/// goes back to the pool and a zero-byte read waits without one, so an idle connection holds
/// no buffer. Writes pass straight through.
/// </summary>
public sealed class ReadAheadStream(Stream inner) : Stream
{
    /// <summary>A full DATA frame: four TLS records per <c>recv</c>.</summary>
    internal const int BufferSize = MuxLimits.DataMessageSize;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _busy;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no box per call that waits (BENCH.md: nothing per frame)
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            if (buffer.IsEmpty && !_busy)
            {
                ReturnBuffer();
                return await inner.ReadAsync(Memory<byte>.Empty, cancellationToken);
            }

            if (buffer.Length >= BufferSize)
            {
                return await inner.ReadAsync(buffer, cancellationToken); // as large as ours: no copy
            }

            int read = await inner.ReadAsync(RentedBuffer().AsMemory(0, BufferSize), cancellationToken);
            ObjectDisposedException.ThrowIf(_buffer is null, this); // disposed while the read waited
            Filled(read);
        }

        return Take(buffer.Span);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_start == _end)
        {
            if (buffer.Length >= BufferSize || buffer.IsEmpty)
            {
                return inner.Read(buffer);
            }

            Filled(inner.Read(RentedBuffer(), 0, BufferSize));
        }

        return Take(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private byte[] RentedBuffer() => _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);

    /// <summary>The socket gave <paramref name="read"/> bytes; a full buffer means more is waiting.</summary>
    private void Filled(int read)
    {
        _busy = read == BufferSize;
        _start = 0;
        _end = read;
    }

    /// <summary>Copies what is buffered (none for an empty destination: a zero-byte read that
    /// finds data returns at once); the buffer goes back to the pool once emptied by a read
    /// that drained the socket.</summary>
    private int Take(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        if (_start == _end && !_busy)
        {
            ReturnBuffer();
        }

        return count;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _start = _end = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A read still pending on the inner stream may write into the buffer until it
            // fails: the buffer is left to the GC rather than given back to the pool.
            _buffer = null;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
