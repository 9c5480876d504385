using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Client.Forwarding;

/// <summary>stdin + stdout as one duplex stream, for ssh's <c>ProxyCommand</c>. Half-close = close stdout.</summary>
internal sealed class StdioStream(Stream input, Stream output) : Stream, IHalfClosable
{
    // A read of stdin cannot be interrupted (a pipe's blocking read ignores cancellation), so an
    // abort stops waiting for it instead: the process then exits and its pipes close with it.
    private readonly CancellationTokenSource _aborted = new();

    /// <summary>The connection is over: pending and future reads end at once.</summary>
    public void Abort() => _aborted.Cancel();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token);
        return await input.ReadAsync(buffer, either.Token).AsTask().WaitAsync(either.Token);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await output.WriteAsync(buffer, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    public ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        output.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aborted.Cancel();
            _aborted.Dispose();
            input.Dispose();
            output.Dispose();
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);

    public override void Flush() => output.Flush();

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
