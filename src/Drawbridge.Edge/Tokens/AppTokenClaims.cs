using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// What an app token says. JSON names follow the Cloudflare Access application token where it
/// has an equivalent, then registered JWT / OpenID Connect names, so tools written for either
/// read these tokens unchanged:
/// <list type="table">
/// <item><term>iss</term><description>the edge's URL (Cloudflare: the team domain URL).</description></item>
/// <item><term>aud</term><description>the app, as a one-element array, as Cloudflare sends it.</description></item>
/// <item><term>sub</term><description>the user's stable id.</description></item>
/// <item><term>email</term><description>the user's verified e-mail (Cloudflare's name); absent when the sign-in gave none.</description></item>
/// <item><term>type</term><description>always "app" (Cloudflare: "app" tokens vs "org" session tokens).</description></item>
/// <item><term>iat, nbf, exp</term><description>NumericDate seconds (RFC 7519 §4.1), as Cloudflare.</description></item>
/// <item><term>groups</term><description>IdP groups, an array of strings: the de facto claim of Okta,
/// Keycloak, Entra ID and of Cloudflare's get-identity document. Cloudflare has no JWT equivalent.</description></item>
/// <item><term>sid</term><description>the edge session that issued the token: the session id claim of
/// OpenID Connect Front- and Back-Channel Logout. Cloudflare's JWT has none ("identity_nonce" is a cache key).</description></item>
/// <item><term>login_method</term><description>the sign-in method that authenticated the user (an IdP's
/// configured name, or "otp" for the e-mail PIN), for the login-method policy selector. Cloudflare's JWT has
/// no equivalent and its get-identity document uses an "idp" object, so a distinct name avoids clashing
/// with it; "amr" (RFC 8176) names authentication factors, not providers.</description></item>
/// </list>
/// </summary>
internal sealed record AppTokenClaims(
    string Issuer,
    string Audience,
    string Subject,
    string? Email,
    IReadOnlyList<string> Groups,
    string LoginMethod,
    string SessionId,
    DateTimeOffset IssuedAt,
    DateTimeOffset NotBefore,
    DateTimeOffset Expires)
{
    /// <summary>The "type" claim of every app token.</summary>
    public const string TokenType = "app";

    /// <summary>Claims for a token issued now and living <paramref name="lifetime"/> (the app's session duration, default 24 h).</summary>
    public static AppTokenClaims Issue(string issuer, string audience, string subject, string? email, IReadOnlyList<string> groups,
        string loginMethod, string sessionId, TimeProvider time, TimeSpan lifetime)
    {
        // NumericDate has whole seconds; truncating here keeps the record equal to what a token carries.
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        return new AppTokenClaims(issuer, audience, subject, email, groups, loginMethod, sessionId, now, now, now + lifetime);
    }

    /// <summary>
    /// Reads our claims back from a token <see cref="JwtValidator"/> accepted with
    /// <see cref="TokenValidationParameters.ForAppTokens"/>. False when a member is missing or of
    /// the wrong type, or the token is not an app token ("type" other than "app").
    /// </summary>
    public static bool TryRead(ValidatedToken token, [NotNullWhen(true)] out AppTokenClaims? claims, out string error)
    {
        claims = null;
        AppTokenPayloadJson? payload;
        try
        {
            payload = token.Payload.Deserialize(TokenJsonContext.Default.AppTokenPayloadJson);
        }
        catch (JsonException ex)
        {
            error = $"the token is not an app token: {ex.Message}";
            return false;
        }

        if (payload is null || payload.Type != TokenType || payload.Audience.Length != 1)
        {
            error = "the token is not an app token (type \"app\" with one audience)";
            return false;
        }

        claims = new AppTokenClaims(payload.Issuer, payload.Audience[0], payload.Subject, payload.Email, payload.Groups,
            payload.LoginMethod, payload.SessionId, DateTimeOffset.FromUnixTimeSeconds(payload.IssuedAt),
            DateTimeOffset.FromUnixTimeSeconds(payload.NotBefore), DateTimeOffset.FromUnixTimeSeconds(payload.Expires));
        error = "";
        return true;
    }
}
