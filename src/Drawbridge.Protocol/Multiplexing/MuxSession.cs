using System.IO.Pipelines;
using System.Threading.Channels;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Multiplexing;

/// <summary>
/// One link of SPEC.md §2–§6 over a byte stream: many TCP connections multiplexed as streams.
/// One reader loop dispatches incoming frames; everything else enqueues frames into one output
/// pipe (STYLE.md habit 5), which one writer at a time drains into the transport: the sender
/// that found it idle, or a thread-pool item. Partial by concern:
/// <c>.Receive</c> (reader loop), <c>.Send</c> (the writer and frame senders),
/// <c>.KeepAlive</c> (PING, RTT), <c>.FlowControl</c> (link credit).
/// </summary>
public sealed partial class MuxSession : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly MuxSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new(); // guards the stream table, credits and windows
    private readonly Dictionary<uint, MuxStream> _streams = [];
    private readonly Channel<MuxStream> _accepted = Channel.CreateUnbounded<MuxStream>(new() { SingleWriter = true });
    private readonly TaskCompletionSource<MuxLinkEnd> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<MuxLinkEnd> _peerGoAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Never disposed: see DisposeAsync.
    private readonly CancellationTokenSource _readCancel = new();
    private readonly CancellationTokenSource _writeCancel = new();
    private uint _highestStreamId;
    private int _terminated;
    private int _disposed;
    private MuxLinkEnd? _end;
    private Task? _run;
    private string? _goAwayReason;
    private int _closeWhenIdle;

    public MuxSession(Stream transport, MuxRole role, MuxSessionOptions? options = null)
    {
        _transport = transport;
        Role = role;
        _options = options ?? new MuxSessionOptions();
        _time = _options.TimeProvider;
        _output = UnpausedPipe.Create(_options.FramePool, minimumSegmentSize: 16 * 1024);
        StreamPipeOptions = UnpausedPipe.InlineReader(_options.FramePool);
        _linkReceive = new ReceiveWindow(MuxLimits.InitialLinkWindow, MuxLimits.MaxLinkWindow, _time.GetTimestamp());
    }

    public MuxRole Role { get; }

    /// <summary>How this link's streams make their inbound pipes.</summary>
    internal PipeOptions StreamPipeOptions { get; }

    /// <summary>Completes when the link has ended and its transport is closed.</summary>
    public Task<MuxLinkEnd> Completion => _completion.Task;

    /// <summary>Completes when the peer said GOAWAY (it drains: open no new stream here), or when the link ended.</summary>
    public Task<MuxLinkEnd> PeerGoAway => _peerGoAway.Task;

    /// <summary>True while new streams may be opened or accepted on this link.</summary>
    public bool IsOpen => Volatile.Read(ref _terminated) == 0 && !_peerGoAway.Task.IsCompleted && !_localGoingAway;

    public int ActiveStreamCount
    {
        get
        {
            lock (_sync)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>True once the link has ended (or is ending): no stream will move on it again.</summary>
    public bool HasEnded => Volatile.Read(ref _terminated) != 0;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Starts the reader, writer and keep-alive loops.</summary>
    public void Start() => _run ??= RunAsync();

    /// <summary>
    /// Opens a stream (opener only) and sends its SYN. Data may be written at once (§3: no
    /// extra round trip). Returns null when the link no longer takes new streams.
    /// </summary>
    public MuxStream? TryOpenStream(OpenMessage open)
    {
        if (Role != MuxRole.Opener)
        {
            throw new InvalidOperationException("only the opener opens streams");
        }

        if (!IsOpen)
        {
            return null;
        }

        MuxStream stream;
        bool startWriter;
        lock (_writeLock)
        {
            // Ids must reach the wire in increasing order, so allocate under the write lock.
            if (_outputClosed || _highestStreamId >= MuxLimits.MaxStreamId)
            {
                return null;
            }

            stream = new MuxStream(this, ++_highestStreamId, open);
            lock (_sync)
            {
                _streams.Add(stream.Id, stream);
            }

            MuxFrameWriter.WriteSyn(_output.Writer, stream.Id, open);
            startWriter = FlushOutput();
        }

        if (startWriter)
        {
            StartWriter(inline: false); // a new connection's data usually follows: write them together
        }

        return stream;
    }

    /// <summary>Waits for the next stream the peer opened (acceptor only); null once the link has ended.</summary>
    public async ValueTask<MuxStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_accepted.Reader.TryRead(out MuxStream? stream))
            {
                return stream;
            }
        }

        return null;
    }

    /// <summary>Starts draining (§3 GOAWAY): the peer opens no new streams here; open ones go on.</summary>
    public void GoAway(string reason)
    {
        _goAwayReason = reason;
        _localGoingAway = true;
        Send((MuxErrorCode.NoError, reason), static (w, s) => MuxFrameWriter.WriteGoAway(w, s.Item1, s.Item2));
    }

    /// <summary>
    /// Opens nothing more here and closes the link (NO_ERROR) once its last stream has ended
    /// (§3: "once all its streams are closed, either side closes the link"): a link being
    /// replaced lets its connections finish.
    /// </summary>
    public Task<MuxLinkEnd> CloseWhenIdle(string reason)
    {
        _goAwayReason ??= reason;
        _localGoingAway = true;
        Volatile.Write(ref _closeWhenIdle, 1);
        CloseIfIdle();
        return Completion;
    }

    private void CloseIfIdle()
    {
        if (Volatile.Read(ref _closeWhenIdle) == 1 && ActiveStreamCount == 0)
        {
            // Not on the caller's thread: a stream ending may hold the stream's own locks here.
            ThreadPool.UnsafeQueueUserWorkItem(
                static session => session.Terminate(new MuxLinkEnd(MuxErrorCode.NoError, session._goAwayReason ?? "idle", ByPeer: false), sendGoAway: true),
                this, preferLocal: false);
        }
    }

    /// <summary>Ends the link: GOAWAY with <paramref name="code"/>, then closes the transport.
    /// Streams still open fail with LINK_LOST.</summary>
    public Task<MuxLinkEnd> CloseAsync(MuxErrorCode code, string reason)
    {
        Terminate(new MuxLinkEnd(code, reason, ByPeer: false), sendGoAway: true);
        return Completion;
    }

    /// <summary>Ends the link at once, without telling the peer.</summary>
    public void Abort(string reason)
    {
        Terminate(new MuxLinkEnd(MuxErrorCode.LinkLost, reason, ByPeer: false), sendGoAway: false);
        _readCancel.Cancel();
        _writeCancel.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await Completion; // a second call waits for the first; the token sources are already gone
            return;
        }

        Abort("link disposed");
        if (_run is not null)
        {
            await _run;
        }
        else
        {
            await _transport.DisposeAsync();
            _completion.TrySetResult(_end!);
        }

        // _readCancel and _writeCancel are not disposed: they have no timer and no linked token, so
        // Dispose would free nothing, and disposing them raced with an Abort (or a keep-alive
        // timeout) from another thread cancelling them after Terminate had let the owner dispose.
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        try
        {
            Task reader = ReadLoopAsync();
            _ = WriteQueuedAsync(int.MaxValue); // the writer was owned until now: write what was queued
            Task writer = _writerDone.Task;
            Task keepAlive = KeepAliveLoopAsync();
            await writer;
            // Our output is closed; the peer answers by closing its own, which ends the reader.
            // A peer that doesn't is cut off after the grace period.
            _readCancel.CancelAfter(_options.CloseGrace);
            await reader;
            // The keep-alive loop shares the reader's token; stop it now rather than at its next tick.
            await _readCancel.CancelAsync();
            await keepAlive;
        }
        catch (Exception ex)
        {
            // A loop failed in a way it did not handle (a bug): the link still ends, and says why.
            Terminate(new MuxLinkEnd(MuxErrorCode.InternalError, "the link failed: " + ex.Message, ByPeer: false), sendGoAway: false);
        }
        finally
        {
            await DisposeTransportAsync();
            _completion.TrySetResult(_end!);
        }
    }

    private async ValueTask DisposeTransportAsync()
    {
        try
        {
            await _transport.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            // the transport was already broken; Dispose released what it could
        }
    }

    /// <summary>Ends the link once: fails every stream, stops accepting, closes the output.</summary>
    private void Terminate(MuxLinkEnd end, bool sendGoAway)
    {
        if (Interlocked.Exchange(ref _terminated, 1) == 1)
        {
            return;
        }

        _end = end;
        if (sendGoAway)
        {
            Send(end, static (w, e) => MuxFrameWriter.WriteGoAway(w, e.Code, e.Reason));
        }

        CloseOutput();
        List<MuxStream> streams;
        TaskCompletionSource? linkWaiter;
        lock (_sync)
        {
            streams = [.. _streams.Values];
            _streams.Clear();
            linkWaiter = _linkCreditWaiter;
            _linkCreditWaiter = null;
        }

        linkWaiter?.TrySetResult();
        var failure = new MuxStreamException(MuxErrorCode.LinkLost, "the link ended: " + end.Reason, end.ByPeer);
        foreach (MuxStream stream in streams)
        {
            stream.OnLinkEnded(failure);
        }

        _accepted.Writer.TryComplete();
        FailPendingPings(end);
        _peerGoAway.TrySetResult(end);
    }

    internal void RemoveStream(uint id)
    {
        lock (_sync)
        {
            _streams.Remove(id);
        }

        CloseIfIdle();
    }
}
