using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Edge.Admin;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge session list|revoke</c> and <c>drawbridge audit list</c>.</summary>
internal static class SessionCommands
{
    public static Command BuildSession()
    {
        var session = new Command("session", "Signed-in users' sessions");
        session.Subcommands.Add(List());
        session.Subcommands.Add(Revoke());
        return session;
    }

    public static Command BuildAudit()
    {
        var audit = new Command("audit", "The audit log: sign-ins, connections, administrative changes");
        audit.Subcommands.Add(AuditList());
        return audit;
    }

    private static Command List()
    {
        var all = new Option<bool>("--all") { Description = "Include revoked and expired sessions" };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("list", "List sessions: user, method, since, expiry, open connections") { all, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            IReadOnlyList<SessionView> sessions = await client.GetAsync($"/api/v1/sessions{(parse.GetValue(all) ? "?all=true" : "")}",
                AdminJsonContext.Default.IReadOnlyListSessionView, cancellationToken);
            format.Write(sessions, AdminJsonContext.Default.IReadOnlyListSessionView, sessions =>
            {
                Console.WriteLine($"{"ID",-32}  {"USER",-30}  {"METHOD",-10}  {"SINCE",-20}  {"EXPIRES",-20}  CONNECTIONS");
                foreach (SessionView s in sessions)
                {
                    string state = s.RevokedAt is null ? $"{s.OpenConnections}" : $"revoked: {s.RevokedReason}";
                    Console.WriteLine($"{s.Id:N}  {s.Email,-30}  {s.LoginMethod,-10}  {s.CreatedAt:u}  {s.ExpiresAt:u}  {state}");
                }
            });
            return 0;
        });
        return command;
    }

    private static Command Revoke()
    {
        var user = new Option<string?>("--user") { Description = "Revoke every session of this e-mail address" };
        var id = new Option<Guid?>("--id") { Description = "Revoke one session" };
        var reason = new Option<string?>("--reason") { Description = "Shown to the user and kept in the audit log" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("revoke", "Revoke sessions: their open connections close at once on this edge, on other edges at their next poll (2 s)") { user, id, reason, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            RevokeSessionsResult result = await client.PostAsync("/api/v1/sessions/revoke",
                AdminClient.Json(new RevokeSessionsRequest(parse.GetValue(id), parse.GetValue(user), parse.GetValue(reason)), AdminJsonContext.Default.RevokeSessionsRequest),
                AdminJsonContext.Default.RevokeSessionsResult, cancellationToken);
            Console.WriteLine($"Revoked {result.Revoked} session(s); closed {result.ConnectionsClosed} open connection(s)");
            return 0;
        });
        return command;
    }

    private static Command AuditList()
    {
        var since = new Option<string?>("--since") { Description = "Only events at or after this time (e.g. 2026-11-26T10:00:00Z)" };
        var user = new Option<string?>("--user") { Description = "Only this actor (an e-mail, service-token:NAME, or admin token id)" };
        var app = new Option<string?>("--app") { Description = "Only this application's events" };
        var kind = new Option<string?>("--kind") { Description = "sign_in, connection or admin" };
        var limit = new Option<int>("--limit") { Description = "At most this many events, newest first", DefaultValueFactory = _ => 100 };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("list", "List audit events, newest first") { since, user, app, kind, limit, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            var query = new List<string> { $"limit={parse.GetValue(limit)}" };
            foreach (var (key, value) in new[] { ("since", parse.GetValue(since)), ("user", parse.GetValue(user)), ("app", parse.GetValue(app)), ("kind", parse.GetValue(kind)) })
            {
                if (value is not null)
                {
                    query.Add($"{key}={Uri.EscapeDataString(value)}");
                }
            }

            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            IReadOnlyList<AuditView> events = await client.GetAsync($"/api/v1/audit?{string.Join('&', query)}", AdminJsonContext.Default.IReadOnlyListAuditView, cancellationToken);
            format.Write(events, AdminJsonContext.Default.IReadOnlyListAuditView, events =>
            {
                foreach (AuditView e in events)
                {
                    string bytes = e.BytesUp is null ? "" : $" {e.BytesUp}↑ {e.BytesDown}↓ {e.DurationMs} ms";
                    Console.WriteLine($"{e.At:u}  {e.Kind,-10}  {e.Actor,-30}  {e.App ?? "-",-24}  {e.Outcome}{(e.Policy is null ? "" : $" by {e.Policy}")}{bytes}{(e.Detail is null ? "" : "  " + e.Detail)}");
                }
            });
            return 0;
        });
        return command;
    }
}
