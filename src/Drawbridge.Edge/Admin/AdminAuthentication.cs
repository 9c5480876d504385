using System.Net;
using Drawbridge.Edge.Access;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Outcomes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Admin;

/// <summary>
/// Every admin request carries <c>Authorization: Bearer …</c> (the scheme in any case, RFC 9110
/// §11.1) with one of two credentials:
/// <list type="bullet">
/// <item>an admin token (<c>edge init</c>'s bootstrap token, for automation): the store keeps its hash;</item>
/// <item>an app token for the edge's own hostname, the <b>admin application</b>, from
/// <c>drawbridge tunnel login</c>: the person is an administrator while that application's
/// policies allow them, judged on every request, so a revoked session or a changed policy takes
/// effect at once.</item>
/// </list>
/// </summary>
internal sealed class AdminAuthentication(IEdgeStore store, EdgeState state, EdgeRuntime runtime, AppTokens tokens, ILogger<AdminAuthentication> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        string? header = http.Request.Headers.Authorization;
        string? token = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        (AdminActor? actor, IResult? refusal) = AdminTokens.TryParse(token, out Guid id, out byte[]? secret)
            ? await AdminTokenAsync(id, secret, http.RequestAborted)
            : SignedInAdministrator(token, http.Connection.RemoteIpAddress ?? IPAddress.None);
        if (actor is null)
        {
            return refusal;
        }

        http.Items[typeof(AdminActor)] = actor;
        object? result = await next(context);
        // One line per administrative request: who (a token's id or a person, never a token) did what.
        int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        EdgeLog.AdminRequest(logger, http.Request.Method, http.Request.Path, actor.Name, status);
        return result;
    }

    private async Task<(AdminActor?, IResult?)> AdminTokenAsync(Guid id, byte[] secret, CancellationToken cancellationToken)
    {
        if (await store.FindAdminTokenAsync(id, cancellationToken) is not { } stored || !SecretHash.Matches(secret, stored.TokenHash))
        {
            return (null, Refuse(StatusCodes.Status401Unauthorized, "the admin token is unknown or wrong: run `drawbridge tunnel login`, or use the admin.json written by `drawbridge edge init`"));
        }

        return (new AdminActor("admin-token:" + stored.Id.ToString("N")), null);
    }

    private (AdminActor?, IResult?) SignedInAdministrator(string? token, IPAddress client)
    {
        string adminApp = runtime.Settings.Hostname;
        if (token is null)
        {
            return (null, Refuse(StatusCodes.Status401Unauthorized, $"no admin credential: run `drawbridge tunnel login --edge {runtime.Settings.PublicUrl}`, or use the admin.json written by `drawbridge edge init`"));
        }

        EdgeSnapshot snapshot = state.Current;
        AccessCaller? caller = AccessAuthenticator.AuthenticateAppToken(token, client, adminApp, snapshot, tokens, out AccessRefusal refusal);
        if (caller is null)
        {
            string why = refusal.Outcome switch
            {
                ConnectionOutcome.SessionExpired => "your admin sign-in expired",
                ConnectionOutcome.AccessRevoked => "your admin session was revoked",
                _ => "the admin credential is not an admin token nor a valid sign-in for this edge",
            };
            return (null, Refuse(StatusCodes.Status401Unauthorized, $"{why}: run `drawbridge tunnel login --edge {runtime.Settings.PublicUrl}`"));
        }

        var decision = AccessAuthenticator.Authorize(adminApp, caller, snapshot);
        if (!decision.Allowed)
        {
            return (null, Refuse(StatusCodes.Status403Forbidden, NotAnAdministrator(caller.Subject.Email!, adminApp, decision.Reason)));
        }

        return (new AdminActor(caller.Identity), null);
    }

    /// <summary>What a signed-in person whom the admin application's policies do not admit is told, at sign-in and on the API.</summary>
    public static string NotAnAdministrator(string email, string adminApp, string reason) =>
        $"{email} is not an administrator of this edge ({reason}); an administrator can add them with `drawbridge policy add {adminApp} --action allow --include email:{email}`";

    private static IResult Refuse(int status, string message) => AdminApi.Error(status, message);
}

/// <summary>Who made an admin request: <c>admin-token:&lt;id&gt;</c> or <c>email:&lt;address&gt;</c>. Never a secret.</summary>
internal sealed record AdminActor(string Name);
