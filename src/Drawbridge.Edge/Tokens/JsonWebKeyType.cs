namespace Drawbridge.Edge.Tokens;

/// <summary>The key types (RFC 7518 §6.1 "kty") that can verify a JWS here.</summary>
internal enum JsonWebKeyType
{
    /// <summary>"EC": ECDSA over P-256 or P-384.</summary>
    EllipticCurve,

    /// <summary>"RSA": PKCS#1 v1.5 or PSS signatures, modulus of 2048 bits or more.</summary>
    Rsa,
}
