using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// The closed table of JWS algorithms (RFC 7518 §3) this edge can verify. "none" and the
/// HMAC family (HS256…) are deliberately absent: a name that is not in this table can never
/// be allowed, so no configuration can reopen the "alg: none" or "HS256 keyed with the
/// public key" holes. Each algorithm names the one key type (and curve) that may verify it.
/// </summary>
internal sealed class JwsAlgorithm
{
    public static readonly JwsAlgorithm ES256 = new("ES256", JsonWebKeyType.EllipticCurve, HashAlgorithmName.SHA256, "P-256", 32);
    public static readonly JwsAlgorithm ES384 = new("ES384", JsonWebKeyType.EllipticCurve, HashAlgorithmName.SHA384, "P-384", 48);
    public static readonly JwsAlgorithm RS256 = new("RS256", JsonWebKeyType.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    public static readonly JwsAlgorithm RS384 = new("RS384", JsonWebKeyType.Rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
    public static readonly JwsAlgorithm RS512 = new("RS512", JsonWebKeyType.Rsa, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);

    // RFC 7518 §3.5: PSS with MGF1 of the same hash and a salt as long as the hash, which is
    // what RSASignaturePadding.Pss uses.
    public static readonly JwsAlgorithm PS256 = new("PS256", JsonWebKeyType.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    public static readonly JwsAlgorithm PS384 = new("PS384", JsonWebKeyType.Rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
    public static readonly JwsAlgorithm PS512 = new("PS512", JsonWebKeyType.Rsa, HashAlgorithmName.SHA512, RSASignaturePadding.Pss);

    private static readonly FrozenDictionary<string, JwsAlgorithm> s_byName =
        new[] { ES256, ES384, RS256, RS384, RS512, PS256, PS384, PS512 }
            .ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);

    private JwsAlgorithm(string name, JsonWebKeyType keyType, HashAlgorithmName hash, string curve, int coordinateSize)
    {
        Name = name;
        KeyType = keyType;
        Hash = hash;
        Curve = curve;
        CoordinateSize = coordinateSize;
    }

    private JwsAlgorithm(string name, JsonWebKeyType keyType, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        Name = name;
        KeyType = keyType;
        Hash = hash;
        Padding = padding;
    }

    /// <summary>The "alg" value, matched case-sensitively (RFC 7515 §4.1.1).</summary>
    public string Name { get; }

    public JsonWebKeyType KeyType { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>For ECDSA: the only curve this algorithm is defined on ("P-256" for ES256).</summary>
    public string? Curve { get; }

    /// <summary>For ECDSA: bytes in r and in s; the JWS signature is r‖s (RFC 7518 §3.4).</summary>
    public int CoordinateSize { get; }

    public RSASignaturePadding? Padding { get; }

    public static IEnumerable<string> SupportedNames => s_byName.Keys;

    public static bool TryGet(string name, [NotNullWhen(true)] out JwsAlgorithm? algorithm) =>
        s_byName.TryGetValue(name, out algorithm);

    /// <summary>True when <paramref name="key"/> has this algorithm's key type and curve.</summary>
    public bool CanUse(JsonWebKey key) =>
        key.KeyType == KeyType && (KeyType != JsonWebKeyType.EllipticCurve || key.Curve == Curve);

    /// <summary>
    /// Verifies a JWS signature over the ASCII signing input. False for any mismatch,
    /// including a key of the wrong type or a signature of the wrong length.
    /// </summary>
    public bool Verify(JsonWebKey key, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!CanUse(key))
        {
            return false;
        }

        if (KeyType == JsonWebKeyType.EllipticCurve)
        {
            // JWS carries the fixed-width IEEE P1363 form, not DER (RFC 7518 §3.4).
            if (signature.Length != 2 * CoordinateSize)
            {
                return false;
            }

            return key.Verify(signingInput, signature, Hash, padding: null);
        }

        // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
        if (signature.Length != key.Modulus.Length)
        {
            return false;
        }

        return key.Verify(signingInput, signature, Hash, Padding);
    }

    public override string ToString() => Name;
}
