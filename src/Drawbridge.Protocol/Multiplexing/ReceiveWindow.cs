namespace Drawbridge.Protocol.Multiplexing;

/// <summary>
/// One receive window of SPEC.md §6, for a stream or for the link. Not thread-safe: its owner
/// holds a lock around it. Credit goes back to the sender when the application consumes
/// bytes, once half the window is unacknowledged; the window doubles when that half was
/// consumed within 2 × max(RTT, 1 ms) of the previous update, i.e. when the sender is limited
/// by the window rather than by the reader (the same idea as quic-go's auto-tuning).
/// </summary>
internal sealed class ReceiveWindow
{
    /// <summary>§6: RTTs below 1 ms (loopback) still count as 1 ms, so fast local paths grow too.</summary>
    private static readonly TimeSpan MinRtt = TimeSpan.FromMilliseconds(1);

    private readonly int _max;
    private long _remaining;
    private long _unacknowledged;
    private long _lastUpdate;

    public ReceiveWindow(int initial, int max, long nowTimestamp)
    {
        Size = initial;
        _max = max;
        _remaining = initial;
        _lastUpdate = nowTimestamp;
    }

    /// <summary>The current window: how many bytes the sender may have in flight.</summary>
    public int Size { get; private set; }

    /// <summary>Takes <paramref name="count"/> bytes of the sender's credit; false when they exceed it.</summary>
    public bool TryReceive(int count)
    {
        if (count > _remaining)
        {
            return false;
        }

        _remaining -= count;
        return true;
    }

    /// <summary>Records consumed bytes; returns the WINDOW_UPDATE increment to send, or 0.</summary>
    public int OnConsumed(int count, long nowTimestamp, TimeSpan rtt, TimeProvider time)
    {
        _unacknowledged += count;
        if (_unacknowledged < Size / 2)
        {
            return 0;
        }

        int growth = 0;
        TimeSpan elapsed = time.GetElapsedTime(_lastUpdate, nowTimestamp);
        if (Size < _max && elapsed < 2 * (rtt > MinRtt ? rtt : MinRtt))
        {
            growth = Math.Min(Size, _max - Size);
            Size += growth;
        }

        return TakeIncrement(growth, nowTimestamp);
    }

    /// <summary>Grows the window to at least <paramref name="size"/> (capped); returns the extra increment.</summary>
    public int GrowTo(int size, long nowTimestamp)
    {
        int target = Math.Min(size, _max);
        if (target <= Size)
        {
            return 0;
        }

        int growth = target - Size;
        Size = target;
        _remaining += growth;
        return growth;
    }

    private int TakeIncrement(int growth, long nowTimestamp)
    {
        long increment = _unacknowledged + growth;
        _remaining += increment;
        _unacknowledged = 0;
        _lastUpdate = nowTimestamp;
        return (int)increment;
    }
}
