using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// Binds an OpenID Connect sign-in's <c>state</c> to the browser that started it (RFC 6749 §10.12,
/// RFC 9700 §4.7): the state also goes into a short-lived cookie, and the callback is honoured only
/// when the cookie carries the same state. A callback link carried to another browser (login CSRF:
/// someone else's sign-in completed in the victim's browser) finds no matching cookie and is refused.
/// SameSite=Lax, so the provider's top-level redirect back still carries it.
/// </summary>
internal static class SignInStateCookie
{
    public const string Name = "drawbridge_signin";

    /// <summary>As long as a pending sign-in lives (<see cref="SignInServices.PendingSignIns"/>).</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static void Set(HttpResponse response, string state) =>
        response.Cookies.Append(Name, state, Options(maxAge: Lifetime));

    public static void Clear(HttpResponse response) => response.Cookies.Delete(Name, Options(maxAge: null));

    /// <summary>True when the request's cookie holds exactly <paramref name="state"/> (compared in constant time).</summary>
    public static bool Matches(HttpRequest request, string? state)
    {
        string? cookie = request.Cookies[Name];
        if (string.IsNullOrEmpty(cookie) || string.IsNullOrEmpty(state) || cookie.Length > 200 || state.Length > 200)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(cookie), Encoding.UTF8.GetBytes(state));
    }

    private static CookieOptions Options(TimeSpan? maxAge) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = SignInEndpoints.Prefix,
        MaxAge = maxAge,
        IsEssential = true,
    };
}
