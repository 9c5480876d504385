using System.Buffers.Text;

namespace Drawbridge.Edge.Storage;

/// <summary>Rules for the app-token signing keys.</summary>
internal static partial class StoreInputRules
{
    /// <summary>A <c>kid</c> travels in every token header: short, and safe in a URL and a log line.</summary>
    public const int MaxKeyIdLength = 128;

    /// <summary>
    /// Base64 of a PKCS#8 private key: an RSA-4096 key is about 2.4 KB of DER (3.2 KB of base64),
    /// an EC or Ed25519 key a few hundred bytes, so 16 KiB refuses only what is not a key.
    /// </summary>
    public const int MaxPrivateKeyLength = 16 * 1024;

    /// <summary>The asymmetric JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1): app tokens are verified by whoever holds the JWKS, never with a shared secret.</summary>
    public static IReadOnlyList<string> SigningAlgorithms { get; } =
        ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"];

    public static string KeyId(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId))
        {
            throw new StoreValidationException("keyId: is empty");
        }

        if (keyId.Length > MaxKeyIdLength)
        {
            throw new StoreValidationException($"keyId: is {keyId.Length} characters long: at most {MaxKeyIdLength}");
        }

        if (!keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new StoreValidationException($"keyId: \"{Shown(keyId)}\" has characters other than A-Z, a-z, 0-9, '-', '_' and '.'");
        }

        return keyId;
    }

    public static string SigningAlgorithm(string? algorithm)
    {
        if (algorithm is null || !SigningAlgorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            throw new StoreValidationException(
                $"algorithm: \"{Shown(algorithm ?? "")}\" is not one of {string.Join(", ", SigningAlgorithms)}");
        }

        return algorithm;
    }

    /// <summary>Standard base64 of the key's PKCS#8 DER. The message never quotes the value: it is a secret.</summary>
    public static string PrivateKey(string? privateKeyPkcs8)
    {
        if (string.IsNullOrEmpty(privateKeyPkcs8))
        {
            throw new StoreValidationException("privateKeyPkcs8: is empty");
        }

        if (privateKeyPkcs8.Length > MaxPrivateKeyLength)
        {
            throw new StoreValidationException($"privateKeyPkcs8: is {privateKeyPkcs8.Length} characters long: at most {MaxPrivateKeyLength}");
        }

        if (!Base64.IsValid(privateKeyPkcs8) || privateKeyPkcs8.Any(char.IsWhiteSpace))
        {
            throw new StoreValidationException("privateKeyPkcs8: is not base64 (standard alphabet, no line breaks): pass Convert.ToBase64String(key.ExportPkcs8PrivateKey())");
        }

        return privateKeyPkcs8;
    }
}
