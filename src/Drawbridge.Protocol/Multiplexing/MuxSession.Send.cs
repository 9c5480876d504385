using System.Buffers;
using System.IO.Pipelines;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Protocol.Multiplexing;

public sealed partial class MuxSession
{
    /// <summary>Largest single write to the transport when coalescing small frames: 256 KiB
    /// fills 16 TLS records per write and keeps WebSocket messages few and large.</summary>
    private const int CoalesceLimit = 256 * 1024;

    /// <summary>Bytes the output may hold before DATA senders wait for the writer loop: 1 MiB is
    /// four coalesced writes, enough to keep the transport busy while the senders refill. The
    /// peer's windows (up to 16 MiB a stream) bound what is in flight on the network; without
    /// this bound they also set how much sits here, and a queue of hundreds of 64 KiB frames
    /// outgrows the array pool (every frame a fresh large-object allocation, then gen2 GCs).</summary>
    private const int MaxQueuedBytes = 1024 * 1024;

    // The output pipe itself never pauses (control frames must always get through); DATA
    // senders wait in WaitForOutputSpaceAsync instead, before they take credit.
    private readonly Pipe _output;
    private readonly Lock _writeLock = new();
    private bool _outputClosed;
    private long _queuedBytes; // guarded by _writeLock
    private TaskCompletionSource? _spaceWaiter; // guarded by _writeLock
    private volatile bool _localGoingAway;
    private long _bytesSent;

    /// <summary>Queues one frame; false when the link's output is closed. Lock order: write lock, then <c>_sync</c>.</summary>
    internal bool Send<TState>(TState state, Action<PipeWriter, TState> write)
    {
        lock (_writeLock)
        {
            if (_outputClosed)
            {
                return false;
            }

            write(_output.Writer, state);
            FlushOutput();
            return true;
        }
    }

    /// <summary>Completes when the output holds less than <see cref="MaxQueuedBytes"/> (or is closed).</summary>
    internal ValueTask WaitForOutputSpaceAsync(CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            if (_queuedBytes < MaxQueuedBytes || _outputClosed)
            {
                return ValueTask.CompletedTask;
            }

            _spaceWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_spaceWaiter.Task.WaitAsync(cancellationToken));
        }
    }

    /// <summary>The writer loop wrote <paramref name="count"/> bytes: wake DATA senders once half the queue is gone.</summary>
    private void OnOutputWritten(long count)
    {
        TaskCompletionSource? waiter = null;
        lock (_writeLock)
        {
            _queuedBytes -= count;
            if (_queuedBytes <= MaxQueuedBytes / 2)
            {
                waiter = _spaceWaiter;
                _spaceWaiter = null;
            }
        }

        waiter?.TrySetResult();
    }

    internal bool SendData(uint streamId, ReadOnlyMemory<byte> payload, bool fin) =>
        Send((streamId, payload, fin), static (w, s) => MuxFrameWriter.WriteData(w, s.streamId, s.payload.Span, s.fin));

    internal void SendRst(uint streamId, MuxErrorCode code, string reason) =>
        Send((streamId, code, reason), static (w, s) => MuxFrameWriter.WriteRst(w, s.streamId, s.code, s.reason));

    internal void SendWindowUpdate(uint streamId, int increment) =>
        Send((streamId, increment), static (w, s) => MuxFrameWriter.WriteWindowUpdate(w, s.streamId, s.increment));

    internal void SendAck(uint streamId) =>
        Send(streamId, static (w, id) => MuxFrameWriter.WriteAck(w, id));

    /// <summary>Call under <see cref="_writeLock"/>.</summary>
    private void FlushOutput()
    {
        _queuedBytes += _output.Writer.UnflushedBytes;
        UnpausedPipe.Flush(_output.Writer); // wakes the writer loop
    }

    private void CloseOutput()
    {
        TaskCompletionSource? waiter;
        lock (_writeLock)
        {
            if (!_outputClosed)
            {
                _outputClosed = true;
                _output.Writer.Complete();
            }

            waiter = _spaceWaiter;
            _spaceWaiter = null;
        }

        waiter?.TrySetResult(); // they find the output closed when they send
    }

    private async Task WriteLoopAsync()
    {
        PipeReader reader = _output.Reader;
        CancellationToken cancel = _writeCancel.Token;
        byte[]? coalesce = null;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancel);
                ReadOnlySequence<byte> buffer = result.Buffer;
                long length = buffer.Length; // read before AdvanceTo: it recycles the segments Length walks
                if (length > 0)
                {
                    coalesce = await WriteBatchAsync(buffer, coalesce, cancel);
                    await _transport.FlushAsync(cancel);
                    Interlocked.Add(ref _bytesSent, length);
                }

                reader.AdvanceTo(buffer.End);
                OnOutputWritten(length);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await HalfClose.CompleteWritesAsync(_transport, cancel);
        }
        catch (Exception ex)
        {
            Terminate(new MuxLinkEnd(MuxErrorCode.LinkLost, "writing to the link failed: " + ex.Message, ByPeer: false), sendGoAway: false);
        }
        finally
        {
            await reader.CompleteAsync();
            if (coalesce is not null)
            {
                ArrayPool<byte>.Shared.Return(coalesce);
            }
        }
    }

    /// <summary>Writes a batch of frames, joining small segments into large writes.</summary>
    private async ValueTask<byte[]?> WriteBatchAsync(ReadOnlySequence<byte> buffer, byte[]? coalesce, CancellationToken cancel)
    {
        if (buffer.IsSingleSegment)
        {
            await _transport.WriteAsync(buffer.First, cancel);
            return coalesce;
        }

        coalesce ??= ArrayPool<byte>.Shared.Rent(CoalesceLimit);
        int filled = 0;
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            ReadOnlyMemory<byte> rest = segment;
            while (!rest.IsEmpty)
            {
                int take = Math.Min(rest.Length, coalesce.Length - filled);
                rest.Span[..take].CopyTo(coalesce.AsSpan(filled));
                filled += take;
                rest = rest[take..];
                if (filled == coalesce.Length)
                {
                    await _transport.WriteAsync(coalesce.AsMemory(0, filled), cancel);
                    filled = 0;
                }
            }
        }

        if (filled > 0)
        {
            await _transport.WriteAsync(coalesce.AsMemory(0, filled), cancel);
        }

        return coalesce;
    }
}
