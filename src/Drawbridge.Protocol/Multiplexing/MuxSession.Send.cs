using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Protocol.Multiplexing;

public sealed partial class MuxSession
{
    /// <summary>Largest single write to the transport when coalescing small frames: 256 KiB
    /// fills 16 TLS records per write and keeps WebSocket messages few and large.</summary>
    private const int CoalesceLimit = 256 * 1024;

    /// <summary>Bytes the output may hold before DATA senders wait for the writer: 1 MiB is
    /// four coalesced writes, enough to keep the transport busy while the senders refill. The
    /// peer's windows (up to 16 MiB a stream) bound what is in flight on the network; without
    /// this bound they also set how much sits here, and a queue of hundreds of 64 KiB frames
    /// outgrows the array pool (every frame a fresh large-object allocation, then gen2 GCs).</summary>
    private const int MaxQueuedBytes = 1024 * 1024;

    // The output pipe itself never pauses (control frames must always get through); DATA
    // senders wait in WaitForOutputSpaceAsync instead, before they take credit.
    private readonly Pipe _output;
    private readonly Lock _writeLock = new();
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _outputClosed;
    private long _queuedBytes; // guarded by _writeLock
    // True while one thread owns the output's reader and writes to the transport (a sender that
    // found the writer idle, or a thread-pool item); guarded by _writeLock. Owned until Start.
    private bool _writerRunning = true;
    // How often senders found the writer busy lately (guarded by _writeLock): +1 each time, halved
    // whenever the writer runs dry. While it is above zero the link is contended and frames are
    // left to a thread-pool writer, which finds many queued and writes them at once.
    private int _contention;
    private byte[]? _coalesce; // the writer's: the owner of _writerRunning uses it
    private TaskCompletionSource? _spaceWaiter; // guarded by _writeLock
    private volatile bool _localGoingAway;
    private long _bytesSent;

    /// <summary>
    /// Queues one frame; false when the link's output is closed. With <paramref name="writeInline"/>
    /// a sender that finds no write in flight on an uncontended link writes the queue to the
    /// transport itself, on its own thread, instead of handing it to the thread pool (one hand-off
    /// less per message; on a busy link the thread pool's writer batches more frames per write,
    /// which R50 and C50 need more than the hand-off: measured 25 % more requests/s); only
    /// callers that hold no lock may ask for that (a failed write ends the link, which takes the
    /// stream locks). Lock order: write lock, then <c>_sync</c>.
    /// </summary>
    internal bool Send<TState>(TState state, Action<PipeWriter, TState> write, bool writeInline = false)
    {
        bool startWriter;
        lock (_writeLock)
        {
            if (_outputClosed)
            {
                return false;
            }

            write(_output.Writer, state);
            startWriter = FlushOutput();
            writeInline &= _contention == 0;
        }

        if (startWriter)
        {
            StartWriter(writeInline);
        }

        return true;
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

    /// <summary>The writer wrote <paramref name="count"/> bytes: wake DATA senders once half the queue is gone.</summary>
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

    /// <summary>A stream's data, written by the sending thread when the link is idle.</summary>
    internal bool SendData(uint streamId, ReadOnlyMemory<byte> payload, bool fin) =>
        Send((streamId, payload, fin), static (w, s) => MuxFrameWriter.WriteData(w, s.streamId, s.payload.Span, s.fin), writeInline: true);

    internal void SendRst(uint streamId, MuxErrorCode code, string reason) =>
        Send((streamId, code, reason), static (w, s) => MuxFrameWriter.WriteRst(w, s.streamId, s.code, s.reason));

    internal void SendWindowUpdate(uint streamId, int increment) =>
        Send((streamId, increment), static (w, s) => MuxFrameWriter.WriteWindowUpdate(w, s.streamId, s.increment));

    internal void SendAck(uint streamId) =>
        Send(streamId, static (w, id) => MuxFrameWriter.WriteAck(w, id)); // the origin's first bytes usually follow: let them share a write

    /// <summary>Call under <see cref="_writeLock"/>. True when the caller must start the writer.</summary>
    private bool FlushOutput()
    {
        _queuedBytes += _output.Writer.UnflushedBytes;
        UnpausedPipe.Flush(_output.Writer);
        if (_writerRunning)
        {
            _contention = Math.Min(_contention + 1, 64);
            return false;
        }

        _writerRunning = true;
        return true;
    }

    /// <summary>Runs the writer (whose ownership the caller took) here or on the thread pool.</summary>
    private void StartWriter(bool inline)
    {
        if (inline)
        {
            _ = WriteQueuedAsync(maxBatches: 1);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static session => _ = session.WriteQueuedAsync(int.MaxValue), this, preferLocal: false);
        }
    }

    private void CloseOutput()
    {
        TaskCompletionSource? waiter;
        bool startWriter = false;
        lock (_writeLock)
        {
            if (!_outputClosed)
            {
                _outputClosed = true;
                _output.Writer.Complete();
                startWriter = !_writerRunning; // the writer sees the end, closes the transport's output
                _writerRunning = true;
            }

            waiter = _spaceWaiter;
            _spaceWaiter = null;
        }

        waiter?.TrySetResult(); // they find the output closed when they send
        if (startWriter)
        {
            StartWriter(inline: false); // Terminate may run under a stream's lock: never write here
        }
    }

    /// <summary>True when the output holds nothing to write; then the writer stops being the writer.</summary>
    private bool ReleaseWriterIfIdle()
    {
        lock (_writeLock)
        {
            if (_queuedBytes > 0 || _outputClosed)
            {
                return false;
            }

            _writerRunning = false;
            _contention >>= 1;
            return true;
        }
    }

    /// <summary>
    /// The writer: drains the output into the transport until it is empty, then lets the next
    /// sender be the writer. A sender writing inline does <paramref name="maxBatches"/> batches
    /// (what was queued when it looked), then hands what others queued meanwhile to the thread
    /// pool, so no sender is kept writing for everyone. Ends the link if a write fails.
    /// </summary>
    private async Task WriteQueuedAsync(int maxBatches)
    {
        PipeReader reader = _output.Reader;
        CancellationToken cancel = _writeCancel.Token;
        try
        {
            int batches = 0;
            while (true)
            {
                if (!reader.TryRead(out ReadResult result))
                {
                    if (ReleaseWriterIfIdle())
                    {
                        return;
                    }

                    continue; // a sender queued a frame after TryRead looked
                }

                if (batches >= maxBatches)
                {
                    reader.AdvanceTo(result.Buffer.Start); // leave it for the thread pool's writer
                    StartWriter(inline: false);
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                long length = buffer.Length; // read before AdvanceTo: it recycles the segments Length walks
                if (length > 0)
                {
                    await WriteBatchAsync(buffer, cancel);
                    await _transport.FlushAsync(cancel);
                    Interlocked.Add(ref _bytesSent, length);
                }

                reader.AdvanceTo(buffer.End);
                OnOutputWritten(length);
                batches++;
                if (result.IsCompleted)
                {
                    await HalfClose.CompleteWritesAsync(_transport, cancel);
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            Terminate(new MuxLinkEnd(MuxErrorCode.LinkLost, "writing to the link failed: " + ex.Message, ByPeer: false), sendGoAway: false);
        }

        // The output is finished (or broken): this writer stays the writer for good, so none starts again.
        await reader.CompleteAsync();
        if (_coalesce is not null)
        {
            ArrayPool<byte>.Shared.Return(_coalesce);
            _coalesce = null;
        }

        _writerDone.TrySetResult();
    }

    /// <summary>Writes a batch of frames: a large segment (a full DATA frame) as it lies, small
    /// ones (control frames, small DATA) joined into large writes, order kept.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no box per call that waits (BENCH.md: nothing per frame)
    private async ValueTask WriteBatchAsync(ReadOnlySequence<byte> buffer, CancellationToken cancel)
    {
        if (buffer.IsSingleSegment)
        {
            await _transport.WriteAsync(buffer.First, cancel);
            return;
        }

        int filled = 0;
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (segment.Length >= DuplexPump.DirectWriteMinimum)
            {
                // Copying 64 KiB to write it from elsewhere buys nothing: write what is joined so far, then it.
                if (filled > 0)
                {
                    await _transport.WriteAsync(_coalesce.AsMemory(0, filled), cancel);
                    filled = 0;
                }

                await _transport.WriteAsync(segment, cancel);
                continue;
            }

            byte[] coalesce = _coalesce ??= ArrayPool<byte>.Shared.Rent(CoalesceLimit);
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
            await _transport.WriteAsync(_coalesce.AsMemory(0, filled), cancel);
        }
    }
}
