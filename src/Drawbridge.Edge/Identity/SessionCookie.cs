using System.Diagnostics.CodeAnalysis;
using Drawbridge.Protocol.Credentials;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// The browser session on the edge's own host: <c>drawbridge_session=&lt;session id&gt;.&lt;secret&gt;</c>,
/// Secure, HttpOnly, SameSite=Lax, host-only (no Domain: app hostnames never see it). The store
/// keeps only the secret's hash.
/// </summary>
internal static class SessionCookie
{
    public const string Name = "drawbridge_session";

    public static string Format(Guid sessionId, byte[] secret) => $"{sessionId:N}.{SecretHash.ToBase64Url(secret)}";

    public static void Set(HttpResponse response, Guid sessionId, byte[] secret, DateTimeOffset expires) =>
        response.Cookies.Append(Name, Format(sessionId, secret), new CookieOptions
        {
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(Name, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });

    public static bool TryRead(HttpRequest request, out Guid sessionId, [NotNullWhen(true)] out byte[]? secret)
    {
        sessionId = Guid.Empty;
        secret = null;
        string? value = request.Cookies[Name];
        if (value is null || value.Length > 100)
        {
            return false;
        }

        int dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot == 32
            && Guid.TryParseExact(value.AsSpan(0, 32), "N", out sessionId)
            && SecretHash.TryFromBase64Url(value.AsSpan(33), out secret)
            && secret.Length == SecretHash.SecretLength;
    }
}
