using System.Security.Cryptography;
using System.Text;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Identity;

/// <summary>Proof Key for Code Exchange (RFC 7636), S256 only: "plain" would let a stolen code be redeemed.</summary>
internal static class Pkce
{
    /// <summary>RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~].</summary>
    public static bool IsValidVerifier(string? verifier) =>
        verifier is { Length: >= 43 and <= 128 } && verifier.All(IsUnreserved);

    /// <summary>A challenge is a base64url SHA-256: exactly 43 characters.</summary>
    public static bool IsValidChallenge(string? challenge) =>
        challenge is { Length: 43 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string NewVerifier() => SecretHash.ToBase64Url(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => SecretHash.ToBase64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Whether <paramref name="verifier"/> hashes to <paramref name="challenge"/>, compared in constant time.</summary>
    public static bool Matches(string? verifier, string challenge) =>
        IsValidVerifier(verifier) &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Challenge(verifier!)), Encoding.ASCII.GetBytes(challenge));

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
