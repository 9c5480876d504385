using Drawbridge.Edge.Storage;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Snapshots;

/// <summary>
/// Holds the current <see cref="EdgeSnapshot"/> and swaps it whole (STYLE.md habit 10): after
/// each admin change, and whenever a poll of the store's change counter shows someone else
/// changed it. Readers take <see cref="Current"/> once per connection and never lock.
/// </summary>
internal sealed class EdgeState
{
    private readonly IEdgeStore _store;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile EdgeSnapshot _current = EdgeSnapshot.Empty;

    public EdgeState(IEdgeStore store) => _store = store;

    public EdgeSnapshot Current => _current;

    public IEdgeStore Store => _store;

    /// <summary>Raised after a new snapshot is in place (the registry closes links of deleted tunnels).</summary>
    public event Action<EdgeSnapshot>? Changed;

    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        await ChangeAsync(() => Task.FromResult(0), cancellationToken);

    /// <summary>
    /// Runs a store change, then reloads, with no other reload in between. What the change does
    /// on this edge after its write (the admin API closing a revoked session's connections and
    /// counting them) therefore happens before any snapshot here shows the write: a poll that
    /// saw it first cannot close those connections and leave the change counting none. A change
    /// that throws is not followed by a reload (nothing was written).
    /// </summary>
    public async Task<T> ChangeAsync<T>(Func<Task<T>> change, CancellationToken cancellationToken)
    {
        T result;
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            result = await change();
            _current = await EdgeSnapshot.LoadAsync(_store, cancellationToken);
        }
        finally
        {
            _refreshing.Release();
        }

        Changed?.Invoke(_current);
        return result;
    }

    /// <summary>Polls the change counter; reloads only when it moved.</summary>
    public async Task PollAsync(TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    long counter = await _store.GetChangeCounterAsync(cancellationToken);
                    if (counter != _current.ChangeCounter)
                    {
                        await RefreshAsync(cancellationToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    EdgeLog.SnapshotRefreshFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the edge is stopping
        }
    }
}
