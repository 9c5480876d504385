using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// Random secrets, their stored form (SHA-256, lowercase hex) and their two text renderings:
/// unpadded base64url (tunnel secrets, SPEC.md §2) and lowercase hex (service-token secrets).
/// </summary>
/// <remarks>
/// A plain SHA-256 is enough here, unlike for passwords: every secret is 256 random bits, so
/// there is nothing for a slow hash to protect against a guessing attack.
/// </remarks>
public static class SecretHash
{
    /// <summary>32 bytes: 256 bits of entropy, beyond brute force and the size of a SHA-256 output.</summary>
    public const int SecretLength = 32;

    /// <summary>Length of <see cref="Hash"/>'s output: 32 bytes as hex.</summary>
    public const int HashLength = 64;

    /// <summary>Length of a <see cref="SecretLength"/>-byte secret in unpadded base64url.</summary>
    public const int Base64UrlSecretLength = 43;

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretLength);

    /// <summary>The stored form of a secret: SHA-256 as 64 lowercase hex digits.</summary>
    public static string Hash(ReadOnlySpan<byte> secret) => Convert.ToHexStringLower(SHA256.HashData(secret));

    /// <summary>
    /// Whether <paramref name="secret"/> hashes to <paramref name="storedHash"/>, in time that does
    /// not depend on where the two differ. A malformed stored hash matches nothing.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> secret, string? storedHash)
    {
        if (storedHash is null || storedHash.Length != HashLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        if (Convert.FromHexString(storedHash, expected, out _, out var written) != OperationStatus.Done
            || written != expected.Length)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(secret, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Unpadded base64url (RFC 4648 §5), the form secrets take in headers and JSON.</summary>
    public static string ToBase64Url(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>
    /// Decodes unpadded base64url strictly: only the 64 alphabet characters, no padding, no
    /// whitespace, and only the canonical encoding (unused trailing bits zero), so that one
    /// secret has exactly one spelling.
    /// </summary>
    public static bool TryFromBase64Url(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsBase64UrlChar(c))
            {
                return false;
            }
        }

        var decoded = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, decoded, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        decoded = decoded.AsSpan(0, written).ToArray();
        if (!Base64Url.EncodeToString(decoded).AsSpan().SequenceEqual(text))
        {
            return false;
        }

        bytes = decoded;
        return true;
    }

    /// <summary>A secret as 64 lowercase hex digits: how service-token secrets are shown and sent.</summary>
    public static string ToHexSecret(ReadOnlySpan<byte> secret) => Convert.ToHexStringLower(secret);

    /// <summary>Parses a service-token secret: exactly 64 lowercase hex digits, nothing else.</summary>
    public static bool TryParseHexSecret(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? secret)
    {
        secret = null;
        if (text.Length != SecretLength * 2)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        secret = Convert.FromHexString(text);
        return true;
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
