using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Protocol.Multiplexing;

/// <summary>
/// One multiplexed TCP connection (SPEC.md §3). Reads return 0 after the peer's FIN and throw
/// <see cref="MuxStreamException"/> after a reset; <see cref="CompleteWritesAsync"/> sends FIN.
/// One reader and one writer at a time, as for any <see cref="Stream"/>.
/// </summary>
public sealed partial class MuxStream : DuplexStream, IBufferedSource
{
    private readonly MuxSession _session;
    private readonly Lock _gate = new(); // guards the receive side and the state flags
    private readonly Pipe _inbound;
    private TaskCompletionSource<bool>? _acknowledged; // created when the opener asks (an acceptor never does)
    private int _acknowledgement; // 0 = pending, 1 = acknowledged, 2 = ended first; the first outcome wins
    private bool _remoteFin;
    private bool _localFin;
    private volatile MuxStreamException? _reset;
    private long _received;
    private long _consumed;
    private ReadOnlySequence<byte> _buffered; // the last IBufferedSource read, until consumed
    private int _disposed;

    internal MuxStream(MuxSession session, uint id, OpenMessage open)
    {
        _session = session;
        _inbound = new Pipe(session.StreamPipeOptions);
        Id = id;
        Open = open;
        _receive = new ReceiveWindow(MuxLimits.InitialStreamWindow, MuxLimits.MaxStreamWindow, session.Timestamp());
    }

    public uint Id { get; }

    /// <summary>The link that carries this stream.</summary>
    public MuxSession Session => _session;

    /// <summary>What the SYN said: hostname, connection id, identity, client address.</summary>
    public OpenMessage Open { get; }

    /// <summary>Completes with true when the connector acknowledged (origin dialed), false when the stream ended first.</summary>
    public Task<bool> Acknowledged
    {
        get
        {
            TaskCompletionSource<bool> acknowledged = LazyInitializer.EnsureInitialized(
                ref _acknowledged, () => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
            // The outcome may have come before the source existed: settle it here (the other
            // order is handled by SetAcknowledged, which reads the field after the exchange).
            if (Volatile.Read(ref _acknowledgement) is not 0 and var outcome)
            {
                acknowledged.TrySetResult(outcome == 1);
            }

            return acknowledged.Task;
        }
    }

    /// <summary>Why the stream was reset, once it was.</summary>
    public MuxStreamException? ResetReason => _reset;

    /// <summary>Acceptor: tells the opener the origin is connected (§3 ACK).</summary>
    public void Acknowledge() => _session.SendAck(Id);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadResult result = await _inbound.Reader.ReadAsync(cancellationToken);
        ReadOnlySequence<byte> data = result.Buffer;
        if (buffer.IsEmpty || data.IsEmpty)
        {
            // A zero-byte read waits for data without consuming it (idle streams hold no buffer).
            _inbound.Reader.AdvanceTo(data.Start);
            return 0;
        }

        int count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _inbound.Reader.AdvanceTo(data.GetPosition(count));
        OnConsumed(count);
        return count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no box per call that waits (BENCH.md: nothing per frame)
    async ValueTask<ReadOnlySequence<byte>> IBufferedSource.ReadBufferedAsync(CancellationToken cancellationToken)
    {
        ReadResult result = await _inbound.Reader.ReadAsync(cancellationToken);
        ReadOnlySequence<byte> data = result.Buffer;
        if (data.IsEmpty)
        {
            _inbound.Reader.AdvanceTo(data.End); // the end: nothing is left to consume
        }

        _buffered = data;
        return data;
    }

    void IBufferedSource.Consume(long count)
    {
        _inbound.Reader.AdvanceTo(_buffered.GetPosition(count));
        _buffered = default;
        OnConsumed((int)count);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no box per call that waits (BENCH.md: nothing per frame)
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            await _session.WaitForOutputSpaceAsync(cancellationToken);
            int count = await AcquireSendCreditAsync(Math.Min(buffer.Length, MuxLimits.SendDataPayload), cancellationToken);
            if (!_session.SendData(Id, buffer[..count], fin: false))
            {
                throw LinkGone();
            }

            buffer = buffer[count..];
        }
    }

    /// <summary>Half-close: FIN after everything written so far (§3 DATA).</summary>
    public override ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfReset();
            if (_localFin)
            {
                return ValueTask.CompletedTask;
            }

            _localFin = true;
        }

        if (!_session.SendData(Id, ReadOnlyMemory<byte>.Empty, fin: true))
        {
            throw LinkGone();
        }

        RemoveIfDone();
        return ValueTask.CompletedTask;
    }

    /// <summary>Aborts both directions at once (§3 RST). Does nothing once the stream has ended.</summary>
    public void Reset(MuxErrorCode code, string reason)
    {
        var error = new MuxStreamException(code, reason, byPeer: false);
        if (EndWith(error))
        {
            _session.SendRst(Id, code, reason);
        }
    }

    internal void OnData(ReadOnlySequence<byte> payload, bool fin)
    {
        int length = (int)payload.Length;
        MuxStreamException? violation = null;
        lock (_gate)
        {
            if (_reset is not null)
            {
                violation = _reset; // crossed our RST: discard
            }
            else if (_remoteFin)
            {
                violation = new MuxStreamException(MuxErrorCode.ProtocolError, "DATA after FIN", byPeer: false);
            }
            else if (!_receive.TryReceive(length))
            {
                violation = new MuxStreamException(MuxErrorCode.FlowControlError, $"{length} bytes beyond the stream window of {_receive.Size}", byPeer: false);
            }
            else
            {
                // One contiguous span per frame: a 64 KiB frame takes one pooled 64 KiB buffer
                // instead of sixteen 4 KiB segments (each a pool rent and a segment object).
                if (length > 0)
                {
                    payload.CopyTo(_inbound.Writer.GetSpan(length));
                    _inbound.Writer.Advance(length);
                }

                _received += length;
                if (fin)
                {
                    _remoteFin = true; // the inbound writer completes below, after the bookkeeping
                }
                else
                {
                    UnpausedPipe.Flush(_inbound.Writer);
                }
            }
        }

        if (violation is not null)
        {
            _session.OnLinkConsumed(length);
            if (!ReferenceEquals(violation, _reset))
            {
                Reset(violation.Code, violation.Reason);
            }

            return;
        }

        if (fin)
        {
            // The reader runs on this thread as soon as the writer completes (an inline pipe): the
            // stream's bookkeeping is done first, so whoever sees the end sees a finished stream.
            RemoveIfDone();
            _inbound.Writer.Complete();
        }
    }

    internal void OnAck() => SetAcknowledged(true);

    internal void OnReset(MuxStreamException error) => EndWith(error);

    internal void OnLinkEnded(MuxStreamException error) => EndWith(error);

    /// <summary>Marks the stream reset; true when this call did it.</summary>
    private bool EndWith(MuxStreamException error)
    {
        long unread;
        lock (_gate)
        {
            if (_reset is not null || (_localFin && _remoteFin))
            {
                return false;
            }

            _reset = error;
            unread = _received - _consumed;
            _consumed = _received;
        }

        _session.OnLinkConsumed((int)unread);
        SetAcknowledged(false);
        WakeWriter();
        _session.RemoveStream(Id);

        // Last, as in OnData: the reader may run right here. No DATA is written to the pipe once
        // _reset is set (OnData checks it under the gate), so this cannot race a write.
        _inbound.Writer.Complete(error);
        return true;
    }

    private void SetAcknowledged(bool acknowledged)
    {
        Interlocked.CompareExchange(ref _acknowledgement, acknowledged ? 1 : 2, 0);
        Volatile.Read(ref _acknowledged)?.TrySetResult(Volatile.Read(ref _acknowledgement) == 1);
    }

    private void RemoveIfDone()
    {
        bool done;
        lock (_gate)
        {
            done = _localFin && _remoteFin;
        }

        if (done)
        {
            SetAcknowledged(false);
            _session.RemoveStream(Id);
        }
    }

    private void ThrowIfReset()
    {
        if (_reset is { } error)
        {
            throw error;
        }
    }

    private MuxStreamException LinkGone() =>
        _reset ?? new MuxStreamException(MuxErrorCode.LinkLost, "the link has ended", byPeer: false);

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // A stream dropped before both FINs was abandoned: tell the peer (§5 CANCEL).
            Reset(MuxErrorCode.Cancel, "the stream was closed before it finished");
            ReturnUnreadCredit();
            _inbound.Reader.Complete();
        }

        base.Dispose(disposing);
    }
}
