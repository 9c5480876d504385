using System.Buffers;
using System.IO.Pipelines;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>
/// One end of an in-memory duplex byte stream made of two <see cref="Pipe"/>s: the fastest
/// transport a mux can run on, with TCP's manners: half-close (<see cref="CompleteWritesAsync"/>
/// makes the peer read 0 while it may still write back) and back-pressure (64 KiB in flight).
/// </summary>
internal sealed class DuplexPipeStream : Stream, IHalfClosable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private int _writesCompleted;
    private int _disposed;

    private DuplexPipeStream(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }

    /// <summary>One end over pipes the caller made: reads <paramref name="input"/>, writes <paramref name="output"/>.</summary>
    public static DuplexPipeStream Create(PipeReader input, PipeWriter output) => new(input, output);

    public static (DuplexPipeStream A, DuplexPipeStream B) CreatePair()
    {
        var options = new PipeOptions(useSynchronizationContext: false);
        var aToB = new Pipe(options);
        var bToA = new Pipe(options);
        return (new DuplexPipeStream(bToA.Reader, aToB.Writer), new DuplexPipeStream(aToB.Reader, bToA.Writer));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadResult result = await _input.ReadAsync(cancellationToken);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the pipe stream was disposed during a read");
        }

        var data = result.Buffer;
        if (data.IsEmpty || buffer.IsEmpty)
        {
            // EOF (the peer completed its writes), or a zero-byte read that only waited for data.
            _input.AdvanceTo(data.Start);
            return 0;
        }

        int count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _input.AdvanceTo(data.GetPosition(count));
        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        FlushResult result = await _output.WriteAsync(buffer, cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("the peer closed its end of the pipe"); // a socket's EPIPE
        }
    }

    public async ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _writesCompleted, 1) == 0)
        {
            await _output.CompleteAsync();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (Interlocked.Exchange(ref _writesCompleted, 1) == 0)
            {
                _output.Complete();
            }

            _input.CancelPendingRead();
            _input.Complete();
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
