using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Multiplexing;

public sealed partial class MuxStream
{
    private readonly ReceiveWindow _receive; // guarded by _gate
    private long _sendCredit = MuxLimits.InitialStreamWindow; // guarded by the session's Sync
    private TaskCompletionSource? _creditWaiter; // guarded by the session's Sync

    /// <summary>This stream's current receive window (§6): starts at 256 KiB and only grows.</summary>
    internal int ReceiveWindowSize
    {
        get
        {
            lock (_gate)
            {
                return _receive.Size;
            }
        }
    }

    /// <summary>Waits until both the stream and the link grant credit (§6); takes up to <paramref name="wanted"/> bytes of it.</summary>
    private async ValueTask<int> AcquireSendCreditAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_session.Sync)
            {
                ThrowIfReset();
                if (_localFin)
                {
                    throw new InvalidOperationException("write after CompleteWritesAsync");
                }

                if (_session.IsTerminated)
                {
                    throw LinkGone();
                }

                long available = Math.Min(wanted, Math.Min(_sendCredit, _session.LinkSendCredit));
                if (available > 0)
                {
                    _sendCredit -= available;
                    _session.LinkSendCredit -= available;
                    return (int)available;
                }

                wait = _sendCredit == 0
                    ? (_creditWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
                    : _session.WaitForLinkCredit();
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    internal void AddSendCredit(int increment)
    {
        TaskCompletionSource? waiter;
        bool overflow;
        lock (_session.Sync)
        {
            long credit = _sendCredit + increment;
            overflow = credit > MuxLimits.MaxCredit;
            if (!overflow)
            {
                _sendCredit = credit;
            }

            waiter = _creditWaiter;
            _creditWaiter = null;
        }

        waiter?.TrySetResult();
        if (overflow)
        {
            Reset(MuxErrorCode.FlowControlError, "WINDOW_UPDATE took the stream credit past 2^31-1");
        }
    }

    private void WakeWriter()
    {
        TaskCompletionSource? waiter;
        TaskCompletionSource? linkWaiter;
        lock (_session.Sync)
        {
            waiter = _creditWaiter;
            _creditWaiter = null;
            // Our writer may be waiting for link credit instead, which a stuck link never sends.
            // Waking every link waiter is harmless: each re-checks its credit and waits again.
            linkWaiter = _session.TakeLinkCreditWaiter();
        }

        waiter?.TrySetResult();
        linkWaiter?.TrySetResult();
    }

    /// <summary>On dispose: bytes that arrived but were never read still hold link credit (§6). A reset
    /// returned them already; a stream that ended with both FINs did not.</summary>
    private void ReturnUnreadCredit()
    {
        long unread;
        lock (_gate)
        {
            if (_reset is not null)
            {
                return;
            }

            unread = _received - _consumed;
            _consumed = _received;
        }

        _session.OnLinkConsumed((int)unread);
    }

    /// <summary>The application read <paramref name="count"/> bytes: return credit to the stream and the link (§6).</summary>
    private void OnConsumed(int count)
    {
        int increment = 0;
        int grownTo = 0;
        lock (_gate)
        {
            if (_reset is not null || _disposed != 0)
            {
                return; // the reset (or the dispose) already returned this credit to the link
            }

            _consumed += count;
            if (!_remoteFin)
            {
                int before = _receive.Size;
                increment = _receive.OnConsumed(count, _session.Timestamp(), _session.SmoothedRtt, _session.Time);
                grownTo = _receive.Size > before ? _receive.Size : 0;
            }
        }

        if (grownTo > 0)
        {
            _session.OnStreamWindowGrew(grownTo);
        }

        if (increment > 0)
        {
            _session.SendWindowUpdate(Id, increment);
        }

        _session.OnLinkConsumed(count);
    }
}
