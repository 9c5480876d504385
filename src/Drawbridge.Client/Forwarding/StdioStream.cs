using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Client.Forwarding;

/// <summary>stdin + stdout as one duplex stream, for ssh's <c>ProxyCommand</c>. Half-close = close stdout.</summary>
internal sealed class StdioStream(Stream input, Stream output) : DuplexStream
{
    // A read of stdin cannot be interrupted (a pipe's blocking read ignores cancellation), so an
    // abort stops waiting for it instead: the process then exits and its pipes close with it.
    private readonly CancellationTokenSource _aborted = new();

    /// <summary>The connection is over: pending and future reads end at once.</summary>
    public void Abort() => _aborted.Cancel();

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

    public override ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
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

    public override void Flush() => output.Flush();
}
