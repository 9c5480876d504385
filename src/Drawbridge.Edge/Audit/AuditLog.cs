using Drawbridge.Edge.Storage;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Audit;

/// <summary>
/// Writes the persistent audit log (issue 3 item 6): every connection (who, which app, the
/// deciding policy, client, bytes each way, duration, outcome) and every administrative change.
/// A failed audit write is logged and never fails the connection it describes.
/// </summary>
internal sealed class AuditLog(IEdgeStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    public Task ConnectionAsync(string actor, string app, string outcome, string? policy, string client, long? up, long? down, long? durationMs, string? detail) =>
        AppendAsync(new AuditEvent(0, time.GetUtcNow(), "connection", actor, app, outcome, policy, client, up, down, durationMs, detail));

    public Task AdminAsync(string actor, string action, string outcome, string? detail) =>
        AppendAsync(new AuditEvent(0, time.GetUtcNow(), "admin", actor, null, outcome, null, null, null, null, null, action + (detail is null ? "" : ": " + detail)));

    private async Task AppendAsync(AuditEvent auditEvent)
    {
        try
        {
            await store.AppendAuditAsync(auditEvent, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EdgeLog.AuditFailed(logger, auditEvent.Kind, ex);
        }
    }
}
