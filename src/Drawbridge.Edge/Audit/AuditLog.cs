using System.Threading.Channels;
using Drawbridge.Edge.Storage;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Audit;

/// <summary>
/// Writes the persistent audit log (issue 3 item 6): every connection (who, which app, the
/// deciding policy, client, bytes each way, duration, outcome) and every administrative change.
/// A failed audit write is logged and never fails the connection it describes.
/// <para>
/// Connection records are queued and written in batches, one transaction each, by one writer:
/// a commit per connection was the largest single cost of a short connection at the edge
/// (C50: SQLite's parser, WAL and page writes took ~20 % of the edge's CPU). Under load the
/// queue fills while a batch commits, so batches grow with the rate; when idle a record is
/// written at once. Reads of the log (<see cref="FlushAsync"/>, the admin API's <c>GET /audit</c>)
/// wait for what was queued before them. Administrative records are written before the change's
/// answer, as before.
/// </para>
/// </summary>
internal sealed class AuditLog : IAsyncDisposable
{
    /// <summary>Records per transaction, at most.</summary>
    internal const int MaxBatch = 256;

    /// <summary>Records waiting, at most: a connection that ends while the store is this far behind waits for room.</summary>
    internal const int MaxQueued = 16_384;

    private readonly IEdgeStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditLog> _logger;
    private readonly Channel<AuditEvent> _queue = Channel.CreateBounded<AuditEvent>(
        new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writer;
    private long _queued;
    private long _handled;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AuditLog(IEdgeStore store, TimeProvider time, ILogger<AuditLog> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _writer = Task.Run(WriteQueuedAsync);
    }

    public async ValueTask ConnectionAsync(string actor, string app, string outcome, string? policy, string client, long? up, long? down, long? durationMs, string? detail)
    {
        var auditEvent = new AuditEvent(0, _time.GetUtcNow(), "connection", actor, app, outcome, policy, client, up, down, durationMs, detail);
        Interlocked.Increment(ref _queued);
        try
        {
            await _queue.Writer.WriteAsync(auditEvent);
        }
        catch (ChannelClosedException)
        {
            // The edge is stopping and the writer has finished: write this one directly.
            await AppendAsync(auditEvent);
            Handled(1);
        }
    }

    public Task AdminAsync(string actor, string action, string outcome, string? detail) =>
        AppendAsync(new AuditEvent(0, _time.GetUtcNow(), "admin", actor, null, outcome, null, null, null, null, null, action + (detail is null ? "" : ": " + detail)));

    /// <summary>Waits until every record queued before this call is written (or its write failed and was logged).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        long target = Volatile.Read(ref _queued);
        while (Volatile.Read(ref _handled) < target)
        {
            Task progress = Volatile.Read(ref _progress).Task;
            if (Volatile.Read(ref _handled) >= target)
            {
                break;
            }

            await progress.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Writes what is queued and stops the writer (the edge is stopping).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteQueuedAsync()
    {
        ChannelReader<AuditEvent> reader = _queue.Reader;
        var batch = new List<AuditEvent>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out AuditEvent? auditEvent))
            {
                batch.Add(auditEvent);
            }

            try
            {
                await _store.AppendAuditBatchAsync(batch, CancellationToken.None);
            }
            catch (Exception ex)
            {
                EdgeLog.AuditBatchFailed(_logger, batch.Count, ex);
            }

            Handled(batch.Count);
            batch.Clear();
        }
    }

    private void Handled(int count)
    {
        Interlocked.Add(ref _handled, count);
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task AppendAsync(AuditEvent auditEvent)
    {
        try
        {
            await _store.AppendAuditAsync(auditEvent, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EdgeLog.AuditFailed(_logger, auditEvent.Kind, ex);
        }
    }
}
