using System.Net;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Access;

/// <summary>Reads a client's credential from the headers of SPEC.md §1 (first match wins) and turns it into a caller.</summary>
internal static class AccessAuthenticator
{
    public static AccessCaller? Authenticate(IHeaderDictionary headers, IPAddress client, EdgeSnapshot snapshot, out ConnectionOutcome outcome, out string failure)
    {
        outcome = ConnectionOutcome.Unauthenticated;
        string? id = First(headers, WireNames.ServiceTokenIdHeader, WireNames.CloudflareClientIdHeader);
        string? secret = First(headers, WireNames.ServiceTokenSecretHeader, WireNames.CloudflareClientSecretHeader);
        if (id is not null || secret is not null)
        {
            if (snapshot.AuthenticateServiceToken(id, secret) is { } match)
            {
                failure = "";
                return new AccessCaller("service-token:" + match.Name, AccessSubject.ServiceToken(match.Name, id, client), ServiceTokenId: match.TokenId);
            }

            failure = "the service token is unknown, revoked, or its secret is wrong";
            return null;
        }

        failure = First(headers, "Authorization", WireNames.CloudflareTokenHeader) is not null
            ? "app tokens from sign-in are not accepted by this edge yet: use a service token"
            : "no credential: pass a service token (--service-token-id and --service-token-secret)";
        return null;
    }

    /// <summary>
    /// Whether the app behind <paramref name="hostname"/> admits the caller. A hostname without an
    /// application admits any valid service token (machines reaching a tunnel, as before policies
    /// existed) and no user: a person needs an application whose policy names them.
    /// </summary>
    public static PolicyDecision Authorize(string hostname, AccessCaller caller, EdgeSnapshot snapshot)
    {
        if (!snapshot.Apps.TryGetValue(hostname, out AppAccess? app))
        {
            return caller.Subject.IsServiceToken
                ? new PolicyDecision(true, null, $"allowed: {hostname} has no application, so any valid service token may connect")
                : new PolicyDecision(false, null, $"denied: {hostname} has no application; an administrator must run `drawbridge app create {hostname}` and add a policy");
        }

        return app.Problem is { } problem
            ? new PolicyDecision(false, null, "denied: " + problem)
            : PolicyEvaluator.Evaluate(app.Policies, caller.Subject);
    }

    private static string? First(IHeaderDictionary headers, string name, string alternative)
    {
        string? value = headers[name];
        if (string.IsNullOrEmpty(value))
        {
            value = headers[alternative];
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }
}
