using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Multiplexing;

public sealed partial class MuxSession
{
    private readonly ReceiveWindow _linkReceive; // guarded by _sync
    private long _linkSendCredit = MuxLimits.InitialLinkWindow; // guarded by _sync
    private TaskCompletionSource? _linkCreditWaiter; // guarded by _sync

    internal Lock Sync => _sync;

    internal long LinkSendCredit
    {
        get => _linkSendCredit;
        set => _linkSendCredit = value;
    }

    /// <summary>The task a writer waits on when the link (not its stream) has no credit. Call under <see cref="Sync"/>.</summary>
    internal Task WaitForLinkCredit() =>
        (_linkCreditWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Takes the link-credit waiter so the caller can wake it. Call under <see cref="Sync"/>.</summary>
    internal TaskCompletionSource? TakeLinkCreditWaiter()
    {
        TaskCompletionSource? waiter = _linkCreditWaiter;
        _linkCreditWaiter = null;
        return waiter;
    }

    internal bool IsTerminated => Volatile.Read(ref _terminated) != 0;

    private void AddLinkCredit(int increment)
    {
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            long credit = _linkSendCredit + increment;
            if (credit > MuxLimits.MaxCredit)
            {
                throw new MuxProtocolException(MuxErrorCode.FlowControlError, $"link WINDOW_UPDATE takes the credit to {credit}, past 2^31-1");
            }

            _linkSendCredit = credit;
            waiter = _linkCreditWaiter;
            _linkCreditWaiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>The application consumed (or a reset discarded) bytes: return link credit (§6).</summary>
    internal void OnLinkConsumed(int count)
    {
        if (count <= 0)
        {
            return;
        }

        int increment;
        lock (_sync)
        {
            increment = _linkReceive.OnConsumed(count, _time.GetTimestamp(), SmoothedRtt, _time);
        }

        if (increment > 0)
        {
            SendWindowUpdate(0, increment);
        }
    }

    /// <summary>§6: the link window stays at least 4 × the largest stream window.</summary>
    internal void OnStreamWindowGrew(int streamWindow)
    {
        int increment;
        lock (_sync)
        {
            increment = _linkReceive.GrowTo(checked(4 * streamWindow), _time.GetTimestamp());
        }

        if (increment > 0)
        {
            SendWindowUpdate(0, increment);
        }
    }

    internal long Timestamp() => _time.GetTimestamp();

    internal TimeProvider Time => _time;
}
