using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// One public signature-verification key (RFC 7517 §4, RFC 7518 §6). Immutable and public
/// only: this type has no field for a private parameter ("d", "p", "q", …), so a JWKS built
/// from it cannot leak one. Safe to share across threads: <see cref="Verify"/> takes a crypto
/// object from this key's small pool (one thread uses it at a time) or makes one, and
/// <see cref="CreateECDsa"/> / <see cref="CreateRsa"/> make a new one each call.
/// </summary>
internal sealed partial class JsonWebKey
{
    /// <summary>Shortest RSA modulus accepted (NIST SP 800-131A: below 2048 bits is disallowed).</summary>
    public const int MinRsaModulusBits = 2048;

    /// <summary>Longest RSA modulus accepted: verification cost grows with it, and no IdP uses more.</summary>
    public const int MaxRsaModulusBits = 8192;

    /// <summary>As many as threads verify at once on a busy edge; more are made and dropped.</summary>
    private static readonly int MaxPooledVerifiers = Environment.ProcessorCount * 2;

    /// <summary>Verifiers kept per key: importing the public key (~0.3 ms for P-256 here) costs
    /// more than verifying with it (~0.1 ms), and every client connection with an app token
    /// verifies one (C50).</summary>
    private readonly ConcurrentQueue<AsymmetricAlgorithm> _verifiers = new();

    private readonly byte[] _x;
    private readonly byte[] _y;
    private readonly byte[] _n;
    private readonly byte[] _e;

    private JsonWebKey(JsonWebKeyType keyType, string? keyId, string? use, string? algorithm, string? curve,
        byte[] x, byte[] y, byte[] n, byte[] e)
    {
        KeyType = keyType;
        KeyId = keyId;
        Use = use;
        Algorithm = algorithm;
        Curve = curve;
        _x = x;
        _y = y;
        _n = n;
        _e = e;
    }

    public JsonWebKeyType KeyType { get; }

    /// <summary>"kid"; null when the publisher gave none.</summary>
    public string? KeyId { get; }

    /// <summary>"use": null or "sig" (keys for other uses are skipped when parsing).</summary>
    public string? Use { get; }

    /// <summary>"alg": when present, the only algorithm this key may verify (RFC 7517 §4.4).</summary>
    public string? Algorithm { get; }

    /// <summary>"crv" for EC keys: "P-256" or "P-384".</summary>
    public string? Curve { get; }

    public ReadOnlySpan<byte> X => _x;

    public ReadOnlySpan<byte> Y => _y;

    /// <summary>RSA modulus, big-endian without leading zero bytes (RFC 7518 §6.3.1.1).</summary>
    public ReadOnlySpan<byte> Modulus => _n;

    /// <summary>RSA public exponent, big-endian without leading zero bytes.</summary>
    public ReadOnlySpan<byte> Exponent => _e;

    /// <summary>The public part of an ECDSA key on P-256 or P-384.</summary>
    public static JsonWebKey FromECDsa(ECDsa key, string? keyId = null, string? algorithm = null, string? use = "sig")
    {
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        string curve = CurveName(parameters.Curve)
            ?? throw new ArgumentException("only P-256 and P-384 keys can be published", nameof(key));
        return new JsonWebKey(JsonWebKeyType.EllipticCurve, keyId, use, algorithm, curve,
            parameters.Q.X!, parameters.Q.Y!, [], []);
    }

    /// <summary>The public part of an RSA key of at least <see cref="MinRsaModulusBits"/> bits.</summary>
    public static JsonWebKey FromRsa(RSA key, string? keyId = null, string? algorithm = null, string? use = "sig")
    {
        RSAParameters parameters = key.ExportParameters(includePrivateParameters: false);
        byte[] n = TrimLeadingZeros(parameters.Modulus!);
        if (BitLength(n) < MinRsaModulusBits)
        {
            throw new ArgumentException($"RSA keys must have at least {MinRsaModulusBits} bits", nameof(key));
        }

        return new JsonWebKey(JsonWebKeyType.Rsa, keyId, use, algorithm, null, [], [], n, TrimLeadingZeros(parameters.Exponent!));
    }

    public JsonWebKey WithKeyId(string keyId) =>
        new(KeyType, keyId, Use, Algorithm, Curve, _x, _y, _n, _e);

    /// <summary>
    /// The RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order
    /// with no whitespace, base64url-encoded. The member values are base64url strings or
    /// fixed names, so no JSON escaping can arise.
    /// </summary>
    public string ComputeThumbprint()
    {
        string canonical = KeyType == JsonWebKeyType.EllipticCurve
            ? $$"""{"crv":"{{Curve}}","kty":"EC","x":"{{Base64UrlStrict.Encode(_x)}}","y":"{{Base64UrlStrict.Encode(_y)}}"}"""
            : $$"""{"e":"{{Base64UrlStrict.Encode(_e)}}","kty":"RSA","n":"{{Base64UrlStrict.Encode(_n)}}"}""";
        return Base64UrlStrict.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Verifies an ECDSA signature (IEEE P1363 form) or an RSA one (with <paramref name="padding"/>)
    /// over <paramref name="data"/> with this key, reusing a pooled crypto object.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash, RSASignaturePadding? padding)
    {
        AsymmetricAlgorithm verifier = _verifiers.TryDequeue(out AsymmetricAlgorithm? pooled)
            ? pooled
            : KeyType == JsonWebKeyType.EllipticCurve ? CreateECDsa() : CreateRsa();
        bool valid = verifier is ECDsa ecdsa
            ? ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : ((RSA)verifier).VerifyData(data, signature, hash, padding ?? throw new ArgumentNullException(nameof(padding)));
        if (_verifiers.Count < MaxPooledVerifiers)
        {
            _verifiers.Enqueue(verifier);
        }
        else
        {
            verifier.Dispose();
        }

        return valid;
    }

    /// <summary>A new ECDsa holding this public key; the caller disposes it.</summary>
    public ECDsa CreateECDsa()
    {
        if (KeyType != JsonWebKeyType.EllipticCurve)
        {
            throw new InvalidOperationException("not an EC key");
        }

        return ECDsa.Create(new ECParameters
        {
            Curve = Curve == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384,
            Q = new ECPoint { X = _x, Y = _y },
        });
    }

    /// <summary>A new RSA holding this public key; the caller disposes it.</summary>
    public RSA CreateRsa()
    {
        if (KeyType != JsonWebKeyType.Rsa)
        {
            throw new InvalidOperationException("not an RSA key");
        }

        return RSA.Create(new RSAParameters { Modulus = _n, Exponent = _e });
    }

    /// <summary>Size for messages: curve bits for EC, modulus bits for RSA.</summary>
    public int KeySizeBits => KeyType == JsonWebKeyType.EllipticCurve ? _x.Length * 8 : BitLength(_n);

    public string Describe() => KeyType == JsonWebKeyType.EllipticCurve ? $"EC {Curve}" : $"RSA {KeySizeBits}-bit";

    public override string ToString() => $"{Describe()} key {KeyId ?? "(no kid)"}";

    private static string? CurveName(ECCurve curve)
    {
        string? oid = curve.Oid?.Value;
        if (oid == ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            return "P-256";
        }

        return oid == ECCurve.NamedCurves.nistP384.Oid.Value ? "P-384" : null;
    }

    private static byte[] TrimLeadingZeros(byte[] value)
    {
        int start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return value[start..];
    }

    private static int BitLength(ReadOnlySpan<byte> bigEndian) =>
        bigEndian.IsEmpty ? 0 : ((bigEndian.Length - 1) * 8) + (8 - byte.LeadingZeroCount(bigEndian[0]));
}
