using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Access;

/// <summary>Reads a client's credential from the headers of SPEC.md §1; first match wins.</summary>
internal static class AccessAuthenticator
{
    public static AccessCaller? Authenticate(IHeaderDictionary headers, EdgeSnapshot snapshot, out string failure)
    {
        string? id = First(headers, WireNames.ServiceTokenIdHeader, WireNames.CloudflareClientIdHeader);
        string? secret = First(headers, WireNames.ServiceTokenSecretHeader, WireNames.CloudflareClientSecretHeader);
        if (id is not null || secret is not null)
        {
            if (snapshot.AuthenticateServiceToken(id, secret) is { } match)
            {
                failure = "";
                return new AccessCaller("service-token:" + match.Name, match.TokenId);
            }

            failure = "the service token is unknown, revoked, or its secret is wrong";
            return null;
        }

        failure = First(headers, "Authorization", WireNames.CloudflareTokenHeader) is not null
            ? "app tokens from sign-in are not accepted by this edge yet: use a service token"
            : "no credential: pass a service token (--service-token-id and --service-token-secret)";
        return null;
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
