using System.Security.Cryptography;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// One ES256 signing key of the edge: an ECDSA P-256 key pair whose kid is its RFC 7638
/// thumbprint, so a kid can never name two different keys. Immutable: retiring returns a new
/// instance with <see cref="RetiredAt"/> set (how long it then verifies is the ring's
/// <see cref="SigningKeyRing.Retention"/>). The private key is held as PKCS#8 bytes and
/// imported per signature, so instances are thread-safe and need no disposal; it never
/// appears in <see cref="ToString"/>.
/// </summary>
internal sealed class SigningKey
{
    private readonly byte[] _pkcs8;

    private SigningKey(byte[] pkcs8, JsonWebKey publicKey, DateTimeOffset createdAt, DateTimeOffset? retiredAt)
    {
        _pkcs8 = pkcs8;
        PublicKey = publicKey;
        CreatedAt = createdAt;
        RetiredAt = retiredAt;
    }

    /// <summary>The only algorithm these keys sign with.</summary>
    public static JwsAlgorithm Algorithm => JwsAlgorithm.ES256;

    /// <summary>The RFC 7638 thumbprint of the public key, base64url.</summary>
    public string KeyId => PublicKey.KeyId!;

    /// <summary>The public half as published in the JWKS ("use": "sig", "alg": "ES256", "kid").</summary>
    public JsonWebKey PublicKey { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Null for the current key; for a retired key, when it stopped signing.</summary>
    public DateTimeOffset? RetiredAt { get; }

    public static SigningKey Create(TimeProvider time)
    {
        using ECDsa ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return FromECDsa(ecdsa, time.GetUtcNow(), retiredAt: null);
    }

    /// <summary>
    /// Restores a key the store persisted. Throws <see cref="CryptographicException"/> if it is
    /// not an ES256 key, the bytes are not a P-256 PKCS#8 private key, or they do not match the
    /// stored kid.
    /// </summary>
    public static SigningKey FromStored(StoredSigningKey stored)
    {
        if (stored.Algorithm != Algorithm.Name)
        {
            throw new CryptographicException($"stored signing key '{stored.KeyId}' is for {stored.Algorithm}; app tokens are signed with {Algorithm.Name}");
        }

        using ECDsa ecdsa = ECDsa.Create();
        try
        {
            byte[] pkcs8 = Convert.FromBase64String(stored.PrivateKeyPkcs8);
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out int read);
            if (read != pkcs8.Length)
            {
                throw new CryptographicException("trailing bytes after the PKCS#8 structure");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new CryptographicException($"stored signing key '{stored.KeyId}' is not a PKCS#8 private key", ex);
        }

        SigningKey key;
        try
        {
            key = FromECDsa(ecdsa, stored.CreatedAt, stored.RetiredAt);
        }
        catch (ArgumentException ex)
        {
            throw new CryptographicException($"stored signing key '{stored.KeyId}' is not a P-256 key", ex);
        }

        if (key.KeyId != stored.KeyId)
        {
            throw new CryptographicException($"stored signing key '{stored.KeyId}' has thumbprint '{key.KeyId}': the record is corrupt");
        }

        return key;
    }

    /// <summary>
    /// The record <see cref="IEdgeStore.AddSigningKeyAsync"/> persists: the private key as standard
    /// base64 of its PKCS#8 DER (RFC 5208). A secret: never log it.
    /// </summary>
    public StoredSigningKey ToStored() => new(KeyId, Algorithm.Name, Convert.ToBase64String(_pkcs8), CreatedAt, RetiredAt);

    /// <summary>This key, retired at <paramref name="retiredAt"/>: it signs nothing new.</summary>
    public SigningKey Retire(DateTimeOffset retiredAt) => new(_pkcs8, PublicKey, CreatedAt, retiredAt);

    /// <summary>ES256 over <paramref name="signingInput"/>: r‖s, 64 bytes (RFC 7518 §3.4), not DER.</summary>
    public byte[] Sign(ReadOnlySpan<byte> signingInput)
    {
        using ECDsa ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(_pkcs8, out _);
        return ecdsa.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public override string ToString() =>
        $"ES256 signing key {KeyId} created {CreatedAt:O}" + (RetiredAt is { } retired ? $", retired {retired:O}" : ", current");

    private static SigningKey FromECDsa(ECDsa ecdsa, DateTimeOffset createdAt, DateTimeOffset? retiredAt)
    {
        JsonWebKey publicKey = JsonWebKey.FromECDsa(ecdsa, algorithm: Algorithm.Name, use: "sig");
        if (publicKey.Curve != Algorithm.Curve)
        {
            throw new ArgumentException("signing keys are P-256", nameof(ecdsa));
        }

        publicKey = publicKey.WithKeyId(publicKey.ComputeThumbprint());
        return new SigningKey(ecdsa.ExportPkcs8PrivateKey(), publicKey, createdAt, retiredAt);
    }
}
