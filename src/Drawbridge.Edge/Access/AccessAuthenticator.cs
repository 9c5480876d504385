using System.Net;
using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Tokens;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Access;

/// <summary>Reads a client's credential from the headers of SPEC.md §1 (first match wins) and turns it into a caller.</summary>
internal static class AccessAuthenticator
{
    public static AccessCaller? Authenticate(IHeaderDictionary headers, IPAddress client, EdgeSnapshot snapshot, out AccessRefusal refusal) =>
        Authenticate(headers, client, hostname: "", snapshot, tokens: null, out refusal);

    public static AccessCaller? Authenticate(IHeaderDictionary headers, IPAddress client, string hostname, EdgeSnapshot snapshot, AppTokens? tokens, out AccessRefusal refusal)
    {
        string? id = First(headers, WireNames.ServiceTokenIdHeader, WireNames.CloudflareClientIdHeader);
        string? secret = First(headers, WireNames.ServiceTokenSecretHeader, WireNames.CloudflareClientSecretHeader);
        if (id is not null || secret is not null)
        {
            if (snapshot.AuthenticateServiceToken(id, secret) is { } match)
            {
                refusal = AccessRefusal.None;
                return new AccessCaller("service-token:" + match.Name, AccessSubject.ServiceToken(match.Name, id, client), ServiceTokenId: match.TokenId);
            }

            refusal = Unauthenticated(AccessRefusal.BadServiceToken, "the service token is unknown, revoked, or its secret is wrong");
            return null;
        }

        if (!TryBearerToken(headers, out ReadOnlySpan<char> token))
        {
            refusal = Unauthenticated(AccessRefusal.NoCredential,
                $"no credential: run `drawbridge access login {(hostname.Length > 0 ? hostname : "HOSTNAME")}` to sign in, or pass a service token (--service-token-id and --service-token-secret)");
            return null;
        }

        if (tokens is null)
        {
            refusal = Unauthenticated(AccessRefusal.AppTokensNotAccepted, "this edge does not accept app tokens: use a service token");
            return null;
        }

        return AuthenticateAppToken(token, client, hostname, snapshot, tokens, out refusal);
    }

    /// <summary>An app token for <paramref name="hostname"/>: signature, issuer, audience, time, and a session not revoked.</summary>
    public static AccessCaller? AuthenticateAppToken(string token, IPAddress client, string hostname, EdgeSnapshot snapshot, AppTokens tokens, out AccessRefusal refusal) =>
        AuthenticateAppToken(token.AsSpan(), client, hostname, snapshot, tokens, out refusal);

    private static AccessCaller? AuthenticateAppToken(ReadOnlySpan<char> token, IPAddress client, string hostname, EdgeSnapshot snapshot, AppTokens tokens, out AccessRefusal refusal)
    {
        AppTokenCheck check = tokens.Validate(token, hostname);
        if (check.Claims is not { } claims)
        {
            // The token check's own name for what failed (bad_signature, wrong_audience, expired, ...) is the reason.
            refusal = check.Failure == TokenFailure.Expired
                ? new AccessRefusal(ConnectionOutcome.SessionExpired, check.Failure.Name(), $"your session expired: run `drawbridge access login {hostname}`")
                : Unauthenticated(check.Failure.Name(), $"the app token was refused ({check.Message}): run `drawbridge access login {hostname}`");
            return null;
        }

        if (Guid.TryParseExact(claims.SessionId, "N", out Guid sessionId) && snapshot.RevokedSessions.Contains(sessionId))
        {
            refusal = new AccessRefusal(ConnectionOutcome.AccessRevoked, AccessRefusal.SessionRevoked,
                $"your session was revoked by an administrator: run `drawbridge access login {hostname}` if you should still have access");
            return null;
        }

        refusal = AccessRefusal.None;
        AccessSubject subject = AccessSubject.User(claims.Email ?? claims.Subject, claims.Groups, claims.LoginMethod, client);
        return new AccessCaller("email:" + (claims.Email ?? claims.Subject), subject, SessionId: sessionId, ExpiresAt: claims.Expires);
    }

    private static AccessRefusal Unauthenticated(string reason, string message) => new(ConnectionOutcome.Unauthenticated, reason, message);

    /// <summary>
    /// A client that presented no credential at all, admitted only if a bypass policy of the app
    /// matches it (by address, or <c>everyone</c>): Cloudflare's "Bypass" for a trusted network. Null
    /// when a credential was presented (a bad one is refused, never downgraded) or no bypass matches.
    /// </summary>
    public static (AccessCaller Caller, PolicyDecision Decision)? Bypass(IHeaderDictionary headers, IPAddress client, string hostname, EdgeSnapshot snapshot)
    {
        if (First(headers, WireNames.ServiceTokenIdHeader, WireNames.CloudflareClientIdHeader) is not null
            || First(headers, WireNames.ServiceTokenSecretHeader, WireNames.CloudflareClientSecretHeader) is not null
            || TryBearerToken(headers, out _)
            || !snapshot.Apps.ContainsKey(hostname))
        {
            return null;
        }

        var caller = new AccessCaller("anonymous", AccessSubject.Anonymous(client));
        PolicyDecision decision = Authorize(hostname, caller, snapshot);
        return decision is { Allowed: true, DecidedBy.Action: PolicyAction.Bypass } ? (caller, decision) : null;
    }

    /// <summary>
    /// Drops the credential headers once they were checked: the request (and its headers) lives
    /// as long as the connection, and nothing after the check reads them, so no secret stays in
    /// the edge's memory for hours, and an app token (~2.5 KiB as a string) is not held per
    /// connection (S10k).
    /// </summary>
    public static void ForgetCredentials(IHeaderDictionary headers)
    {
        headers.Authorization = default;
        headers.Remove(WireNames.CloudflareTokenHeader);
        headers.Remove(WireNames.ServiceTokenIdHeader);
        headers.Remove(WireNames.ServiceTokenSecretHeader);
        headers.Remove(WireNames.CloudflareClientIdHeader);
        headers.Remove(WireNames.CloudflareClientSecretHeader);
    }

    /// <summary>
    /// <c>Authorization: Bearer …</c> (any case, RFC 9110 §11.1), else <c>Cf-Access-Token</c> as
    /// cloudflared sends it; false when neither is there (a blank one is there, and is refused). A
    /// slice of the header: no copy of the token.
    /// </summary>
    private static bool TryBearerToken(IHeaderDictionary headers, out ReadOnlySpan<char> token)
    {
        string? authorization = headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization.AsSpan(7).Trim();
            return true;
        }

        string? cloudflare = headers[WireNames.CloudflareTokenHeader];
        token = cloudflare.AsSpan().Trim();
        return !string.IsNullOrEmpty(cloudflare);
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
            : PolicyEvaluator.Evaluate(app.Ordered, caller.Subject);
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
