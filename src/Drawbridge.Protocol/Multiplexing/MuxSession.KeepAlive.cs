using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Multiplexing;

public sealed partial class MuxSession
{
    private readonly Dictionary<long, TaskCompletionSource<TimeSpan>?> _pings = []; // guarded by _sync
    private long _smoothedRttTicks;
    private long _lastPingSent;

    /// <summary>Smoothed PING round trip (RFC 6298's 7/8 weighting); zero before the first answer.</summary>
    public TimeSpan SmoothedRtt => TimeSpan.FromTicks(Interlocked.Read(ref _smoothedRttTicks));

    /// <summary>How long the oldest unanswered PING has waited; zero when none is outstanding.
    /// A link whose PINGs go unanswered is wedged, whatever its socket says.</summary>
    public TimeSpan OldestUnansweredPing
    {
        get
        {
            lock (_sync)
            {
                if (_pings.Count == 0)
                {
                    return TimeSpan.Zero;
                }

                long oldest = _pings.Keys.Min();
                return _time.GetElapsedTime(oldest);
            }
        }
    }

    /// <summary>Measures one round trip.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        long stamp = SendPing(answer);
        try
        {
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_sync)
            {
                _pings.Remove(stamp);
            }
        }
    }

    private long SendPing(TaskCompletionSource<TimeSpan>? answer)
    {
        long stamp;
        lock (_sync)
        {
            // The payload is the send timestamp, unique per PING so answers match exactly.
            stamp = Math.Max(_time.GetTimestamp(), _lastPingSent + 1);
            _lastPingSent = stamp;
            _pings[stamp] = answer;
        }

        if (!Send(stamp, static (w, s) => MuxFrameWriter.WritePing(w, s, ack: false)))
        {
            answer?.TrySetException(new MuxStreamException(MuxErrorCode.LinkLost, "the link has ended", byPeer: false));
        }

        return stamp;
    }

    private void OnPing(MuxFrameHeader header, long opaque)
    {
        if (!header.HasFlag(MuxFrameFlags.PingAck))
        {
            Send(opaque, static (w, s) => MuxFrameWriter.WritePing(w, s, ack: true));
            return;
        }

        TaskCompletionSource<TimeSpan>? answer;
        lock (_sync)
        {
            if (!_pings.Remove(opaque, out answer))
            {
                return; // an answer to nothing we sent: harmless, ignored
            }
        }

        TimeSpan rtt = _time.GetElapsedTime(opaque);
        long previous = Interlocked.Read(ref _smoothedRttTicks);
        long smoothed = previous == 0 ? rtt.Ticks : (7 * previous + rtt.Ticks) / 8;
        Interlocked.Exchange(ref _smoothedRttTicks, smoothed);
        answer?.TrySetResult(rtt);
    }

    private async Task KeepAliveLoopAsync()
    {
        if (_options.KeepAliveInterval is not { } interval)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(interval, _time);
            while (await timer.WaitForNextTickAsync(_readCancel.Token) && !IsTerminated)
            {
                // SPEC.md §3: dead once an answer is KeepAliveTimeout late, checked at each tick.
                if (OldestUnansweredPing >= _options.KeepAliveTimeout)
                {
                    Terminate(new MuxLinkEnd(MuxErrorCode.LinkLost, $"no PING answer within {_options.KeepAliveTimeout.TotalSeconds:0.#} s", ByPeer: false), sendGoAway: false);
                    // A wedged link may never drain its output: cut both loops off now.
                    _writeCancel.Cancel();
                    _readCancel.Cancel();
                    return;
                }

                SendPing(answer: null);
            }
        }
        catch (OperationCanceledException)
        {
            // the link ended
        }
    }

    private void FailPendingPings(MuxLinkEnd end)
    {
        List<TaskCompletionSource<TimeSpan>?> pending;
        lock (_sync)
        {
            pending = [.. _pings.Values];
        }

        foreach (TaskCompletionSource<TimeSpan>? answer in pending)
        {
            answer?.TrySetException(new MuxStreamException(MuxErrorCode.LinkLost, "the link ended: " + end.Reason, end.ByPeer));
        }
    }
}
