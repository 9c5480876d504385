using Drawbridge.Edge.Access;
using Drawbridge.Edge.Audit;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Admin;

internal static partial class AdminApi
{
    private static async Task<IResult> ListSessionsAsync(HttpContext context, EdgeState state, OpenConnections connections, TimeProvider time)
    {
        string? allText = context.Request.Query["all"];
        if (allText is not (null or "true" or "false"))
        {
            return Error(StatusCodes.Status400BadRequest, $"all: '{Printable(allText)}' is not true or false");
        }

        bool all = allText == "true";
        IReadOnlyList<UserSession> sessions = await state.Store.ListSessionsAsync(!all, time.GetUtcNow(), context.RequestAborted);
        IReadOnlyList<SessionView> views = [.. sessions.Select(s => new SessionView(
            s.Id, s.Email, s.DisplayName, s.Groups, s.LoginMethod, s.ClientAddress, s.CreatedAt, s.ExpiresAt, s.RevokedAt, s.RevokedReason,
            connections.CountForSession(s.Id)))];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListSessionView);
    }

    /// <summary>
    /// Revokes a session (by id) or every session of a user (by e-mail), and closes their open
    /// connections on this edge before answering, so the answer counts them; other edges close
    /// theirs when their poll sees the change.
    /// </summary>
    private static async Task<IResult> RevokeSessionsAsync(HttpContext context, EdgeState state, OpenConnections connections)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.RevokeSessionsRequest);
        if (error is not null)
        {
            return error;
        }

        if ((request!.Id is null) == (request.Email is null))
        {
            return Error(StatusCodes.Status400BadRequest, "give exactly one of id (a session) or email (every session of a user)");
        }

        string reason = string.IsNullOrWhiteSpace(request.Reason) ? "access revoked by an administrator" : request.Reason;
        return await ChangeAsync(state, context, async change =>
        {
            IReadOnlyList<Guid> revoked = request.Id is { } id
                ? await state.Store.RevokeSessionAsync(id, reason, context.RequestAborted) ? [id] : []
                : await state.Store.RevokeSessionsByEmailAsync(request.Email!, reason, context.RequestAborted);
            int closed = LiveEnforcement.EnforceRevokedSessions(connections, revoked.ToHashSet());
            change.Is(request with { Reason = reason }, AdminJsonContext.Default.RevokeSessionsRequest);
            return Results.Json(new RevokeSessionsResult(revoked.Count, closed), AdminJsonContext.Default.RevokeSessionsResult);
        });
    }

    private static async Task<IResult> ListAuditAsync(HttpContext context, EdgeState state, AuditLog audit)
    {
        IQueryCollection query = context.Request.Query;
        DateTimeOffset? since = null;
        if (query["since"].ToString() is { Length: > 0 } text)
        {
            if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
            {
                return Error(StatusCodes.Status400BadRequest, $"since: '{Printable(text)}' is not a date and time (e.g. 2026-11-26T10:00:00Z)");
            }

            since = parsed;
        }

        int limit = 100;
        if (query["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 10_000))
        {
            return Error(StatusCodes.Status400BadRequest, "limit: a whole number from 1 to 10000");
        }

        // Connection records are written in batches: include every connection that ended before this request.
        await audit.FlushAsync(context.RequestAborted);
        IReadOnlyList<AuditEvent> events = await state.Store.ListAuditAsync(since, Empty(query["user"]), Empty(query["app"]), Empty(query["kind"]), limit, context.RequestAborted);
        IReadOnlyList<AuditView> views = [.. events.Select(e => new AuditView(e.Id, e.At, e.Kind, e.Actor, e.App, e.Outcome, e.Policy, e.ClientAddress, e.BytesUp, e.BytesDown, e.DurationMs, e.Detail))];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListAuditView);
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
