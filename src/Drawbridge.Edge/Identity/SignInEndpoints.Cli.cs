using System.Net;
using Drawbridge.Edge.Access;
using Drawbridge.Edge.Admin;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Drawbridge.Edge.Identity;

internal static partial class SignInEndpoints
{
    public const string CliAuthorizePath = Prefix + "/cli/authorize";
    public const string TokenPath = Prefix + "/cli/token";
    public const string DeviceCodePath = Prefix + "/device/code";
    public const string DevicePath = Prefix + "/device";
    private const string DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    private static void MapCli(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(CliAuthorizePath, CliAuthorizeAsync);
        endpoints.MapPost(TokenPath, TokenAsync).DisableAntiforgery();
        endpoints.MapPost(DeviceCodePath, DeviceCodeAsync).DisableAntiforgery();
        endpoints.MapGet(DevicePath, DevicePageAsync);
        endpoints.MapPost(DevicePath, DeviceDecisionAsync).DisableAntiforgery();
    }

    /// <summary>RFC 8252 for the CLI: after sign-in, a one-time code goes to the CLI's loopback listener.</summary>
    private static async Task CliAuthorizeAsync(HttpContext context, SignInServices services)
    {
        IQueryCollection query = context.Request.Query;
        string app = query["app"].ToString().ToLowerInvariant();
        string challenge = query["code_challenge"].ToString();
        if (!LoopbackRedirect.TryParse(query["redirect_uri"], out Uri? redirect, out string problem))
        {
            // Never redirect to a URI we refused: the code would leave the user's machine.
            await SignInPages.WriteAsync(context, "Sign-in refused", SignInPages.Paragraph(problem, "error"), StatusCodes.Status400BadRequest);
            return;
        }

        string state = query["state"].ToString();
        if (query["code_challenge_method"] != "S256" || !Pkce.IsValidChallenge(challenge) || state.Length is 0 or > 512)
        {
            context.Response.Redirect(WithQuery(redirect, ("error", "invalid_request"), ("error_description", "PKCE S256 and a state are required"), ("state", state)));
            return;
        }

        if (await CurrentSessionAsync(context, services) is not { } session)
        {
            context.Response.Redirect(LoginPath + "?return=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
            return;
        }

        if (Admission(services, app, session, context.Connection.RemoteIpAddress) is { Allowed: false } denial)
        {
            // Counted here only when it ends the sign-in; an admitted one is counted at the token endpoint.
            RecordAdmission(services, app, denial, SignInLabels.Cli);
            context.Response.Redirect(WithQuery(redirect, ("error", "access_denied"), ("error_description", denial.Reason), ("state", state)));
            return;
        }

        string code = SecretHash.ToBase64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        services.CliGrants.TryAdd(code, new CliGrant(session.Id, app, challenge, redirect.ToString()));
        context.Response.Redirect(WithQuery(redirect, ("code", code), ("state", state)));
    }

    /// <summary>The token endpoint: a loopback code with its PKCE verifier, or a device code (RFC 8628 §3.4).</summary>
    private static async Task<IResult> TokenAsync(HttpContext context, SignInServices services)
    {
        IFormCollection form = await ReadFormAsync(context);
        UserSession? session;
        string app;
        string method;
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                method = SignInLabels.Cli;
                CliGrant? grant = services.CliGrants.Take(form["code"]);
                if (grant is null)
                {
                    return Refused(services, method, SignInLabels.InvalidCode, "invalid_grant", "the code is unknown, expired or was already used: sign in again");
                }

                if (grant.RedirectUri != form["redirect_uri"] || !Pkce.Matches(form["code_verifier"], grant.CodeChallenge))
                {
                    return Refused(services, method, SignInLabels.PkceMismatch, "invalid_grant", "the code does not belong to this redirect_uri and code_verifier (PKCE)");
                }

                session = await services.State.Store.GetSessionAsync(grant.SessionId, context.RequestAborted);
                app = grant.App;
                break;
            case DeviceGrantType:
                method = SignInLabels.Device;
                var (outcome, device) = services.Devices.Poll(form["device_code"]);
                switch (outcome)
                {
                    // Waiting is not an outcome: only the poll that ends the flow is counted.
                    case DevicePollOutcome.Pending: return OAuthError("authorization_pending", "waiting for the user to approve the code");
                    case DevicePollOutcome.SlowDown: return OAuthError("slow_down", $"polling too fast: wait {device!.Interval.TotalSeconds:0} s between polls");
                    case DevicePollOutcome.Denied: return Refused(services, method, SignInLabels.UserDenied, "access_denied", "the user refused the sign-in");
                    case DevicePollOutcome.Expired: return Refused(services, method, SignInLabels.ExpiredCode, "expired_token", "the device code is unknown or expired: start again");
                }

                session = await services.State.Store.GetSessionAsync(device!.ApprovedSession!.Value, context.RequestAborted);
                app = device.App;
                break;
            default:
                return OAuthError("unsupported_grant_type", "grant_type must be authorization_code or " + DeviceGrantType);
        }

        if (session is null || session.RevokedAt is not null || session.ExpiresAt <= services.Time.GetUtcNow())
        {
            return Refused(services, method, SignInLabels.SessionEnded, "invalid_grant", "the session behind this code has ended: sign in again");
        }

        PolicyDecision admission = Admission(services, app, session, context.Connection.RemoteIpAddress);
        RecordAdmission(services, app, admission, method);
        if (!admission.Allowed)
        {
            return OAuthError("access_denied", admission.Reason);
        }

        TimeSpan duration = services.State.Current.Apps.TryGetValue(app, out AppAccess? access) ? access.SessionDuration : SignInServices.SessionLifetime;
        string token;
        DateTimeOffset expires;
        try
        {
            (token, expires) = services.Tokens.Issue(session, app, duration);
        }
        catch (SignInException ex)
        {
            return Refused(services, method, SignInLabels.SessionEnded, "invalid_grant", ex.Message);
        }

        services.Metrics.SignIn(method, SignInLabels.SignedIn);

        var body = new CliTokenResponse(token, "Bearer", (long)(expires - services.Time.GetUtcNow()).TotalSeconds, app, session.Email);
        return Results.Json(body, SignInJsonContext.Answers.CliTokenResponse, statusCode: StatusCodes.Status200OK);
    }

    /// <summary>RFC 8628 §3.1–3.2: the CLI without a browser asks for a device code for an app.</summary>
    private static async Task<IResult> DeviceCodeAsync(HttpContext context, SignInServices services)
    {
        IFormCollection form = await ReadFormAsync(context);
        string app = form["app"].ToString().ToLowerInvariant();
        if (!RouteHostname.TryNormalize(app, out string normalized, out string problem))
        {
            return OAuthError("invalid_request", "app: " + problem);
        }

        if (services.Devices.Start(normalized) is not var (deviceCode, grant))
        {
            return OAuthError("slow_down", "too many sign-ins are pending; try again in a minute");
        }

        string verification = services.PublicUrl + DevicePath;
        var body = new DeviceCodeResponse(
            deviceCode,
            DeviceAuthorizations.Display(grant.UserCode),
            verification,
            verification + "?user_code=" + grant.UserCode,
            (long)DeviceAuthorizations.Lifetime.TotalSeconds,
            (long)grant.Interval.TotalSeconds);
        return Results.Json(body, SignInJsonContext.Answers.DeviceCodeResponse);
    }

    private static async Task DevicePageAsync(HttpContext context, SignInServices services)
    {
        if (await CurrentSessionAsync(context, services) is not { } session)
        {
            context.Response.Redirect(LoginPath + "?return=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
            return;
        }

        string typed = context.Request.Query["user_code"].ToString();
        DeviceGrant? grant = services.Devices.FindByUserCode(typed);
        string body = grant is null
            ? SignInPages.Paragraph(typed.Length == 0 ? "Type the code your terminal shows." : "That code is unknown or has expired.", typed.Length == 0 ? null : "error") +
              SignInPages.Form(DevicePath, [], [("user_code", "Code", "text")], ("decision", "show", "Continue"))
            : SignInPages.Paragraph($"Sign in to {grant.App} on the device showing {DeviceAuthorizations.Display(grant.UserCode)} as {session.Email}?") +
              SignInPages.Paragraph("Only approve if you started this sign-in yourself.", "muted") +
              SignInPages.Form(DevicePath, [("user_code", grant.UserCode)], [], ("decision", "approve", "Approve"), ("decision", "deny", "Deny"));
        await SignInPages.WriteAsync(context, "Confirm the device", body);
    }

    private static async Task DeviceDecisionAsync(HttpContext context, SignInServices services)
    {
        IFormCollection form = await ReadFormAsync(context);
        if (await CurrentSessionAsync(context, services) is not { } session)
        {
            context.Response.Redirect(LoginPath + "?return=" + Uri.EscapeDataString(DevicePath));
            return;
        }

        string code = form["user_code"].ToString();
        switch (form["decision"].ToString())
        {
            case "approve" when services.Devices.Approve(code, session.Id):
                await SignInPages.WriteAsync(context, "Device approved", SignInPages.Paragraph("Done: go back to your terminal."));
                return;
            case "deny" when services.Devices.Deny(code):
                await SignInPages.WriteAsync(context, "Device refused", SignInPages.Paragraph("The sign-in was refused."));
                return;
            case "show":
                context.Response.Redirect(DevicePath + "?user_code=" + Uri.EscapeDataString(code));
                return;
            default:
                await SignInPages.WriteAsync(context, "Confirm the device", SignInPages.Paragraph("That code is unknown or has expired.", "error"), StatusCodes.Status400BadRequest);
                return;
        }
    }

    /// <summary>Whether the app admits this user now (the same rule connections use), so the CLI learns "denied" at sign-in.</summary>
    private static PolicyDecision Admission(SignInServices services, string app, UserSession session, IPAddress? client)
    {
        var subject = AccessSubject.User(session.Email, session.Groups, session.LoginMethod, client ?? IPAddress.Loopback);
        var caller = new AccessCaller("email:" + session.Email, subject, SessionId: session.Id);
        EdgeSnapshot snapshot = services.State.Current;
        if (!snapshot.Apps.ContainsKey(app))
        {
            return new PolicyDecision(false, null, $"{app} is not an application on this edge: an administrator must run `drawbridge app create {app}`");
        }

        PolicyDecision decision = AccessAuthenticator.Authorize(app, caller, snapshot);
        return decision.Allowed || app != services.Runtime.Settings.Hostname
            ? decision
            : decision with { Reason = AdminAuthentication.NotAnAdministrator(session.Email, app, decision.Reason) };
    }

    /// <summary>One policy decision per CLI sign-in; a denial is also the sign-in's outcome.</summary>
    private static void RecordAdmission(SignInServices services, string app, PolicyDecision decision, string method)
    {
        // Labelled by application only when it is one: the CLI may ask for any name.
        services.Metrics.PolicyDecided(services.State.Current.Apps.ContainsKey(app) ? app : null, decision);
        if (!decision.Allowed)
        {
            services.Metrics.SignIn(method, SignInLabels.AccessDenied);
        }
    }

    private static IResult Refused(SignInServices services, string method, string outcome, string error, string description)
    {
        services.Metrics.SignIn(method, outcome);
        return OAuthError(error, description);
    }

    private static IResult OAuthError(string error, string description) =>
        Results.Json(new OAuthErrorResponse(error, description), SignInJsonContext.Answers.OAuthErrorResponse, statusCode: StatusCodes.Status400BadRequest);

    private static string WithQuery(Uri uri, params (string Name, string Value)[] parameters)
    {
        string query = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)));
        var builder = new UriBuilder(uri);
        builder.Query = builder.Query.TrimStart('?') is { Length: > 0 } existing ? existing + "&" + query : query;
        return builder.Uri.ToString();
    }
}
