using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// The wire form of an app token's claims; see <see cref="AppTokenClaims"/> for what each
/// name means and why it was chosen. "email" is last only because it is the one optional member (absent when the
/// sign-in method gave none). Times are NumericDate (RFC 7519 §2: whole seconds
/// since the Unix epoch).
/// </summary>
internal sealed record AppTokenPayloadJson(
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("aud")] string[] Audience,
    [property: JsonPropertyName("sub")] string Subject,
    [property: JsonPropertyName("groups")] string[] Groups,
    [property: JsonPropertyName("login_method")] string LoginMethod,
    [property: JsonPropertyName("sid")] string SessionId,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("nbf")] long NotBefore,
    [property: JsonPropertyName("exp")] long Expires,
    [property: JsonPropertyName("email")] string? Email = null);
