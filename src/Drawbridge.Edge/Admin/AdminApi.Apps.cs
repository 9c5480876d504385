using System.Net;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Text;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Admin;

internal static partial class AdminApi
{
    /// <summary>An app's sign-ins last this long unless its creator says otherwise (issue 3: 24 h).</summary>
    private static readonly TimeSpan DefaultSessionDuration = TimeSpan.FromHours(24);

    private static readonly TimeSpan MaxSessionDuration = TimeSpan.FromDays(30);

    private static async Task<IResult> CreateAppAsync(HttpContext context, EdgeState state)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.CreateAppRequest);
        if (error is not null)
        {
            return error;
        }

        TimeSpan duration = DefaultSessionDuration;
        if (request!.SessionDuration is { } text && !Durations.TryParse(text, MaxSessionDuration, out duration))
        {
            return Error(StatusCodes.Status400BadRequest, $"sessionDuration: '{Printable(text)}' is not a duration like 30m, 8h or 7d (at most 30d)");
        }

        return await ChangeAsync(state, context, async change =>
        {
            App app = await state.Store.CreateAppAsync(request.Hostname ?? "", duration, context.RequestAborted);
            change.Is(ToView(app, []), AdminJsonContext.Default.AppView);
            return Results.Json(ToView(app, []), AdminJsonContext.Default.AppView, statusCode: StatusCodes.Status201Created);
        });
    }

    private static async Task<IResult> ListAppsAsync(HttpContext context, EdgeState state)
    {
        IReadOnlyList<App> apps = await state.Store.ListAppsAsync(context.RequestAborted);
        IReadOnlyList<StoredPolicy> policies = await state.Store.ListPoliciesAsync(null, context.RequestAborted);
        IReadOnlyList<AppView> views = [.. apps.Select(a => ToView(a, policies.Where(p => p.AppHostname == a.Hostname)))];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListAppView);
    }

    private static async Task<IResult> GetAppAsync(string hostname, HttpContext context, EdgeState state)
    {
        if (await state.Store.GetAppAsync(hostname, context.RequestAborted) is not { } app)
        {
            return AppNotFound(hostname);
        }

        IReadOnlyList<StoredPolicy> policies = await state.Store.ListPoliciesAsync(app.Hostname, context.RequestAborted);
        return Results.Json(ToView(app, policies), AdminJsonContext.Default.AppView);
    }

    private static Task<IResult> DeleteAppAsync(string hostname, HttpContext context, EdgeState state) =>
        ChangeAsync(state, context, async change =>
        {
            if (await state.Store.GetAppAsync(hostname, context.RequestAborted) is { } app)
            {
                change.Was(ToView(app, await state.Store.ListPoliciesAsync(app.Hostname, context.RequestAborted)), AdminJsonContext.Default.AppView);
            }

            return await state.Store.DeleteAppAsync(hostname, context.RequestAborted) ? Results.NoContent() : AppNotFound(hostname);
        });

    private static async Task<IResult> AddPolicyAsync(string hostname, HttpContext context, EdgeState state)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.AddPolicyRequest);
        if (error is not null)
        {
            return error;
        }

        if (await state.Store.GetAppAsync(hostname, context.RequestAborted) is not { } app)
        {
            return AppNotFound(hostname);
        }

        // Validate the way the evaluator will read it, so a stored policy always evaluates.
        Policy policy;
        int precedence;
        try
        {
            IReadOnlyList<StoredPolicy> existing = await state.Store.ListPoliciesAsync(app.Hostname, context.RequestAborted);
            precedence = request!.Precedence ?? (existing.Count == 0 ? 1 : existing.Max(p => p.Precedence) + 1);
            policy = new Policy(Guid.Empty, app.Hostname, request.Name ?? "", PolicyActionNames.Parse(request.Action), precedence,
                Selectors("include", request.Include), Selectors("require", request.Require), Selectors("exclude", request.Exclude));
        }
        catch (PolicyFormatException ex)
        {
            return Error(StatusCodes.Status400BadRequest, ex.Message);
        }

        return await ChangeAsync(state, context, async change =>
        {
            StoredPolicy stored = await state.Store.AddPolicyAsync(app.Hostname, policy.Name, PolicyRecords.ToStoredAction(policy.Action), precedence,
                [.. policy.Include.Select(s => s.ToString())], [.. policy.Require.Select(s => s.ToString())], [.. policy.Exclude.Select(s => s.ToString())],
                context.RequestAborted);
            change.Is(ToView(stored), AdminJsonContext.Default.PolicyView);
            return Results.Json(ToView(stored), AdminJsonContext.Default.PolicyView, statusCode: StatusCodes.Status201Created);
        });
    }

    private static async Task<IResult> ListPoliciesAsync(string hostname, HttpContext context, EdgeState state)
    {
        if (await state.Store.GetAppAsync(hostname, context.RequestAborted) is not { } app)
        {
            return AppNotFound(hostname);
        }

        IReadOnlyList<StoredPolicy> policies = await state.Store.ListPoliciesAsync(app.Hostname, context.RequestAborted);
        IReadOnlyList<PolicyView> views = [.. policies.Select(ToView)];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListPolicyView);
    }

    private static Task<IResult> DeletePolicyAsync(string id, HttpContext context, EdgeState state) =>
        Guid.TryParse(id, out Guid policyId)
            ? DeletePolicyByIdAsync(policyId, context, state)
            : Task.FromResult(Error(StatusCodes.Status400BadRequest, $"id: '{Printable(id)}' is not a policy id: `drawbridge policy list HOSTNAME` shows them"));

    private static Task<IResult> DeletePolicyByIdAsync(Guid id, HttpContext context, EdgeState state) =>
        ChangeAsync(state, context, async change =>
        {
            if ((await state.Store.ListPoliciesAsync(null, context.RequestAborted)).FirstOrDefault(p => p.Id == id) is { } policy)
            {
                change.Was(ToView(policy), AdminJsonContext.Default.PolicyView);
            }

            return await state.Store.DeletePolicyAsync(id, context.RequestAborted)
                ? Results.NoContent()
                : Error(StatusCodes.Status404NotFound, $"no policy with id {id:N}: `drawbridge policy list HOSTNAME` shows them");
        });

    /// <summary><c>drawbridge policy test</c>: what the app would decide for a made-up caller, and which policy decides.</summary>
    private static async Task<IResult> TestPolicyAsync(string hostname, HttpContext context, EdgeState state)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.PolicyTestRequest);
        if (error is not null)
        {
            return error;
        }

        if (await state.Store.GetAppAsync(hostname, context.RequestAborted) is not { } app)
        {
            return AppNotFound(hostname);
        }

        IPAddress address = IPAddress.Loopback;
        if (request!.Ip is { } ip && !IPAddress.TryParse(ip, out address!))
        {
            return Error(StatusCodes.Status400BadRequest, $"ip: '{Printable(ip)}' is not an IP address");
        }

        if (request.Email is { Length: 0 } || request.ServiceToken is { Length: 0 } || request.Email is not null && request.ServiceToken is not null)
        {
            return Error(StatusCodes.Status400BadRequest, "email, serviceToken: give one (a user or a service token), or neither (an anonymous client)");
        }

        AccessSubject subject = request.ServiceToken is { } token
            ? AccessSubject.ServiceToken(token, token, address)
            : request.Email is { } email
                ? AccessSubject.User(email, request.Groups, request.LoginMethod, address)
                : AccessSubject.Anonymous(address);

        IReadOnlyList<StoredPolicy> stored = await state.Store.ListPoliciesAsync(app.Hostname, context.RequestAborted);
        PolicyDecision decision = PolicyEvaluator.Evaluate([.. stored.Select(PolicyRecords.ToPolicy)], subject);
        return Results.Json(new PolicyTestResult(decision.Allowed, decision.DecidedBy?.Name, decision.Reason), AdminJsonContext.Default.PolicyTestResult);
    }

    /// <summary>A rule's selectors, each error naming the rule and the position (<c>include[2]: selector "…" …</c>).</summary>
    private static Selector[] Selectors(string field, IReadOnlyList<string>? texts)
    {
        var selectors = new Selector[texts?.Count ?? 0];
        for (int i = 0; i < selectors.Length; i++)
        {
            if (!Selector.TryParse(texts![i], out Selector? selector, out string problem))
            {
                throw new PolicyFormatException($"{field}[{i}]: selector \"{PolicyText.Shown(texts[i] ?? "")}\" {problem}. Allowed forms: {Selector.AllowedForms}");
            }

            selectors[i] = selector;
        }

        return selectors;
    }

    private static IResult AppNotFound(string hostname) =>
        Error(StatusCodes.Status404NotFound, $"no application for '{Printable(hostname)}': create it with `drawbridge app create {Printable(hostname)}`");

    private static AppView ToView(App app, IEnumerable<StoredPolicy> policies) =>
        new(app.Hostname, Durations.Format(app.SessionDuration), app.CreatedAt, [.. policies.Select(ToView)]);

    private static PolicyView ToView(StoredPolicy p) =>
        new(p.Id, p.AppHostname, p.Name, p.Action.Replace('_', '-'), p.Precedence, p.Include, p.Require, p.Exclude);
}
