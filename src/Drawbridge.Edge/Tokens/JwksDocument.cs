using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// Renders the edge's public keys as a JWK Set for relying parties and tools:
/// <c>GET /.well-known/jwks.json</c>, and the same body at <c>/cdn-cgi/access/certs</c>,
/// the path Cloudflare Access publishes its keys at (only its "keys" member is rendered;
/// the PEM "public_cert(s)" members need certificates, which these keys do not have).
/// </summary>
internal static class JwksDocument
{
    public const string WellKnownPath = "/.well-known/jwks.json";

    public const string CloudflareCertsPath = "/cdn-cgi/access/certs";

    /// <summary>
    /// What Cloudflare Access and most OpenID providers serve; RFC 7517 §8.5's
    /// "application/jwk-set+json" trips some older clients.
    /// </summary>
    public const string ContentType = "application/json";

    /// <summary>
    /// How long clients may cache the set. Short because a rotation publishes a new key
    /// that new tokens use at once; clients refetch on an unknown kid anyway.
    /// </summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The verification keys of <paramref name="ring"/>: the current key and retired ones still verifying.</summary>
    public static byte[] Render(SigningKeyRing ring) => Render(ring.PublicKeys);

    public static byte[] Render(JsonWebKeySet keys)
    {
        var document = new JwksJson([.. keys.Keys.Select(ToJson)]);
        return JsonSerializer.SerializeToUtf8Bytes(document, TokenJsonContext.Default.JwksJson);
    }

    private static PublicJwkJson ToJson(JsonWebKey key) => key.KeyType == JsonWebKeyType.EllipticCurve
        ? new PublicJwkJson("EC", key.KeyId, key.Use, key.Algorithm, key.Curve,
            Base64UrlStrict.Encode(key.X), Base64UrlStrict.Encode(key.Y), null, null)
        : new PublicJwkJson("RSA", key.KeyId, key.Use, key.Algorithm, null,
            null, null, Base64UrlStrict.Encode(key.Modulus), Base64UrlStrict.Encode(key.Exponent));
}
