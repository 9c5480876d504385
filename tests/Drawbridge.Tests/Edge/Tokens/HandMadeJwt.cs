using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.Tests.Edge.Tokens;

/// <summary>
/// Builds compact JWS tokens from literal JSON with the BCL only, the way an OpenID provider
/// or an attacker would, independent of the code under test.
/// </summary>
internal static class HandMadeJwt
{
    public static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string Sign(string headerJson, string payloadJson, Func<byte[], byte[]> sign)
    {
        string signingInput = Encode(headerJson) + "." + Encode(payloadJson);
        return signingInput + "." + Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string SignEcdsa(ECDsa key, string headerJson, string payloadJson, HashAlgorithmName hash,
        DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation) =>
        Sign(headerJson, payloadJson, data => key.SignData(data, hash, format));

    public static string SignRsa(RSA key, string headerJson, string payloadJson, HashAlgorithmName hash, RSASignaturePadding padding) =>
        Sign(headerJson, payloadJson, data => key.SignData(data, hash, padding));

    public static string SignHmac(byte[] secret, string headerJson, string payloadJson) =>
        Sign(headerJson, payloadJson, data => HMACSHA256.HashData(secret, data));

    public static string Unsigned(string headerJson, string payloadJson) => Encode(headerJson) + "." + Encode(payloadJson) + ".";

    public static string[] Parts(string token) => token.Split('.');

    public static string DecodePart(string part) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part));

    /// <summary>A claims set with every member this edge requires; <paramref name="extra"/> is spliced in raw.</summary>
    public static string Claims(string issuer, string audienceJson, long iat, long nbf, long exp, string extra = "") =>
        $$"""{"iss":"{{issuer}}","aud":{{audienceJson}},"sub":"user-1","iat":{{iat}},"nbf":{{nbf}},"exp":{{exp}}{{extra}}}""";
}
