using System.Data.Common;
using System.Text;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string AuditColumns =
        "id, at, kind, actor, app, outcome, policy, client_address, bytes_up, bytes_down, duration_ms, detail";

    private const string InsertAuditSql =
        "INSERT INTO audit_events (at, kind, actor, app, outcome, policy, client_address, bytes_up, bytes_down, duration_ms, detail) "
        + "VALUES (@at, @kind, @actor, @app, @outcome, @policy, @address, @up, @down, @duration, @detail)";

    public async Task<long> AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        (string Name, object? Value)[] parameters = AuditParameters(auditEvent);
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var id = Convert.ToInt64(await ScalarAsync(connection, transaction, InsertAuditSql + " RETURNING id;", cancellationToken, parameters));

                // Changed: false. The change counter tells edges to reload their configuration
                // snapshot; audit is a record of traffic, not configuration, and is written on
                // every connection: moving the counter would make every edge reload for nothing.
                return (id, false);
            },
            cancellationToken);
    }

    public async Task AppendAuditBatchAsync(IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvents);

        // Every event is checked before the first is written: a bad one refuses the whole batch.
        (string Name, object? Value)[][] rows = [.. auditEvents.Select(AuditParameters)];
        if (rows.Length == 0)
        {
            return;
        }

        await WriteAsync(
            async (connection, transaction) =>
            {
                // One statement, prepared once, bound per row: the engine parses the SQL once per batch.
                await using DbCommand command = Command(connection, transaction, InsertAuditSql + ";", rows[0]);
                await command.ExecuteNonQueryAsync(cancellationToken);
                for (int row = 1; row < rows.Length; row++)
                {
                    for (int column = 0; column < rows[row].Length; column++)
                    {
                        command.Parameters[column].Value = ToDatabase(rows[row][column].Value);
                    }

                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                return (rows.Length, false); // not configuration: see AppendAuditAsync
            },
            cancellationToken);
    }

    /// <summary>
    /// The row of an event. Long text is cut, not refused (StoreInputRules.AuditText): the record
    /// matters more than the tail of a field, and the longest values come from the input worth
    /// auditing. An unknown kind throws.
    /// </summary>
    private static (string Name, object? Value)[] AuditParameters(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var kind = StoreInputRules.AuditKind(auditEvent.Kind);
        static string? Cut(string? value) => StoreInputRules.AuditText(value, StoreInputRules.MaxAuditFieldLength);
        return
        [
            ("@at", StoreInputRules.Millisecond(auditEvent.At)),
            ("@kind", kind),
            ("@actor", Cut(auditEvent.Actor) ?? ""),
            ("@app", Cut(auditEvent.App)),
            ("@outcome", Cut(auditEvent.Outcome) ?? ""),
            ("@policy", Cut(auditEvent.Policy)),
            ("@address", Cut(auditEvent.ClientAddress)),
            ("@up", auditEvent.BytesUp),
            ("@down", auditEvent.BytesDown),
            ("@duration", auditEvent.DurationMs),
            ("@detail", StoreInputRules.AuditText(auditEvent.Detail, StoreInputRules.MaxAuditDetailLength)),
        ];
    }

    public async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(
        DateTimeOffset? since, string? actor, string? app, string? kind, int limit, CancellationToken cancellationToken)
    {
        StoreInputRules.AuditLimit(limit);
        if (kind is not null)
        {
            StoreInputRules.AuditKind(kind);
        }

        // Only fixed fragments go into the SQL; every value is a parameter.
        var sql = new StringBuilder($"SELECT {AuditColumns} FROM audit_events WHERE 1 = 1");
        var parameters = new List<(string Name, object? Value)>();
        if (since is { } from)
        {
            sql.Append(" AND at >= @since");
            parameters.Add(("@since", StoreInputRules.Millisecond(from)));
        }

        if (actor is not null)
        {
            sql.Append(" AND actor = @actor");
            parameters.Add(("@actor", StoreInputRules.AuditFilter(actor)));
        }

        if (app is not null)
        {
            sql.Append(" AND app = @app");
            parameters.Add(("@app", StoreInputRules.AuditFilter(app)));
        }

        if (kind is not null)
        {
            sql.Append(" AND kind = @kind");
            parameters.Add(("@kind", kind));
        }

        // Newest first; id breaks ties between events of one millisecond in append order.
        sql.Append(" ORDER BY at DESC, id DESC LIMIT @limit;");
        parameters.Add(("@limit", limit));

        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await QueryAsync(connection, null, sql.ToString(), ReadAuditEvent, cancellationToken, [.. parameters]);
    }

    private static AuditEvent ReadAuditEvent(DbDataReader reader) => new(
        reader.GetInt64(0),
        ReadTime(reader, 1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetInt64(8),
        reader.IsDBNull(9) ? null : reader.GetInt64(9),
        reader.IsDBNull(10) ? null : reader.GetInt64(10),
        reader.IsDBNull(11) ? null : reader.GetString(11));
}
