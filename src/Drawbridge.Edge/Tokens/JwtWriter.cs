using System.Text;
using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// Writes app tokens as compact JWS (RFC 7515 §7.1):
/// <c>base64url(header) "." base64url(claims) "." base64url(ES256 signature)</c>, with header
/// <c>{"alg":"ES256","kid":…,"typ":"JWT"}</c> and the claims of <see cref="AppTokenClaims"/>.
/// </summary>
internal static class JwtWriter
{
    /// <summary>
    /// Signs <paramref name="claims"/> with the ring's current key. Throws
    /// <see cref="ArgumentException"/> for claims the ring could not keep verifiable — a
    /// lifetime above <see cref="SigningKeyRing.MaxTokenLifetime"/> would outlive a retired key.
    /// </summary>
    public static string Write(AppTokenClaims claims, SigningKeyRing ring)
    {
        ArgumentException.ThrowIfNullOrEmpty(claims.Issuer);
        ArgumentException.ThrowIfNullOrEmpty(claims.Audience);
        ArgumentException.ThrowIfNullOrEmpty(claims.Subject);
        ArgumentException.ThrowIfNullOrEmpty(claims.LoginMethod);
        ArgumentException.ThrowIfNullOrEmpty(claims.SessionId);
        if (claims.Expires <= claims.IssuedAt || claims.NotBefore >= claims.Expires)
        {
            throw new ArgumentException("an app token must expire after it is issued and becomes valid", nameof(claims));
        }

        if (claims.Expires - claims.IssuedAt > ring.MaxTokenLifetime)
        {
            throw new ArgumentException(
                $"an app token may live at most {ring.MaxTokenLifetime} (the signing key ring's maximum), not {claims.Expires - claims.IssuedAt}",
                nameof(claims));
        }

        SigningKey key = ring.Current;
        var header = new JwtHeaderJson(SigningKey.Algorithm.Name, key.KeyId, "JWT");
        var payload = new AppTokenPayloadJson(
            claims.Issuer,
            [claims.Audience],
            claims.Subject,
            [.. claims.Groups],
            claims.LoginMethod,
            claims.SessionId,
            AppTokenClaims.TokenType,
            claims.IssuedAt.ToUnixTimeSeconds(),
            claims.NotBefore.ToUnixTimeSeconds(),
            claims.Expires.ToUnixTimeSeconds(),
            claims.Email);

        string signingInput =
            Base64UrlStrict.Encode(JsonSerializer.SerializeToUtf8Bytes(header, TokenJsonContext.Default.JwtHeaderJson)) + "." +
            Base64UrlStrict.Encode(JsonSerializer.SerializeToUtf8Bytes(payload, TokenJsonContext.Default.AppTokenPayloadJson));
        byte[] signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlStrict.Encode(signature);
    }
}
