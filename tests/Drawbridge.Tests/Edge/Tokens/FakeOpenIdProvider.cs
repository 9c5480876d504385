using System.Security.Cryptography;
using System.Text;
using Drawbridge.Edge.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Tokens;

/// <summary>
/// An OpenID provider simulated with the BCL: RSA and EC keys, a JWKS document written by
/// hand (as a provider would serve it), and ID tokens signed with those keys. Tests never
/// advance its clock, so one instance can serve a whole test class.
/// </summary>
public sealed class FakeOpenIdProvider : IDisposable
{
    public const string Issuer = "https://idp.example.org";
    public const string ClientId = "drawbridge-edge";
    public const string Nonce = "n-0S6_WzA2Mj";

    public FakeOpenIdProvider()
    {
        Jwks = Encoding.UTF8.GetBytes($$"""
            {"keys":[
              {{RsaJwk(RsaKey, "rsa-1", "\"alg\":\"RS256\",\"use\":\"sig\",")}},
              {{RsaJwk(PssKey, "rsa-pss", "")}},
              {{EcJwk(EcKey, "ec-1", "P-256")}},
              {{EcJwk(Ec384Key, "ec-384", "P-384")}},
              {"kty":"RSA","kid":"enc-1","use":"enc","n":"{{B64(RsaKey.ExportParameters(false).Modulus!)}}","e":"AQAB"}
            ]}
            """);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    public RSA RsaKey { get; } = RSA.Create(2048);

    public RSA PssKey { get; } = RSA.Create(3072);

    public ECDsa EcKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa Ec384Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    /// <summary>The provider's jwks_uri document.</summary>
    public byte[] Jwks { get; }

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    public string IdTokenClaims(string audienceJson = $"\"{ClientId}\"", string nonce = Nonce, string extra = "") =>
        HandMadeJwt.Claims(Issuer, audienceJson, Now, Now, Now + 300,
            $",\"nonce\":\"{nonce}\",\"email\":\"grace@example.org\",\"email_verified\":true,\"groups\":[\"eng\"]{extra}");

    internal TokenValidationParameters Parameters(IEnumerable<string>? advertised = null, string? nonce = Nonce) =>
        TokenValidationParameters.ForIdTokens(JsonWebKeySet.Parse(Jwks), Issuer, ClientId, nonce,
            advertised ?? ["RS256", "PS256", "ES256", "ES384"], Time);

    public void Dispose()
    {
        RsaKey.Dispose();
        PssKey.Dispose();
        EcKey.Dispose();
        Ec384Key.Dispose();
    }

    private static string B64(byte[] bytes) => HandMadeJwt.Encode(bytes);

    private static string RsaJwk(RSA key, string kid, string extra)
    {
        RSAParameters p = key.ExportParameters(false);
        return $$"""{"kty":"RSA",{{extra}}"kid":"{{kid}}","n":"{{B64(p.Modulus!)}}","e":"{{B64(p.Exponent!)}}"}""";
    }

    private static string EcJwk(ECDsa key, string kid, string curve)
    {
        ECParameters p = key.ExportParameters(false);
        return $$"""{"kty":"EC","kid":"{{kid}}","crv":"{{curve}}","x":"{{B64(p.Q.X!)}}","y":"{{B64(p.Q.Y!)}}"}""";
    }
}
