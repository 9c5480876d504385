namespace Drawbridge.Protocol.Relaying;

/// <summary>Counts open relays so a graceful shutdown can wait for the last one to finish.</summary>
public sealed class RelayTracker
{
    private readonly Lock _sync = new();
    private int _open;
    private TaskCompletionSource? _idle;

    public int Open
    {
        get
        {
            lock (_sync)
            {
                return _open;
            }
        }
    }

    public void Started()
    {
        lock (_sync)
        {
            _open++;
        }
    }

    public void Ended()
    {
        TaskCompletionSource? idle = null;
        lock (_sync)
        {
            if (--_open == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    /// <summary>Completes when no relay is open.</summary>
    public Task WhenIdle()
    {
        lock (_sync)
        {
            return _open == 0 ? Task.CompletedTask : (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}
