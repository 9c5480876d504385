using System.Security.Cryptography;
using System.Text;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

public sealed class JsonWebKeyThumbprintTests
{
    /// <summary>RFC 7638 §3.1: the example RSA key (that of RFC 7517 Appendix A.1) and its SHA-256 thumbprint.</summary>
    [Fact]
    public void Thumbprint_MatchesRfc7638Example()
    {
        const string Jwk = """
            {"keys":[{
              "kty": "RSA",
              "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
              "e": "AQAB",
              "alg": "RS256",
              "kid": "2011-04-29"
            }]}
            """;

        JsonWebKey key = Assert.Single(JsonWebKeySet.Parse(Encoding.UTF8.GetBytes(Jwk)).Keys);

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.ComputeThumbprint());
    }

    [Fact]
    public void EcThumbprint_HashesTheRequiredMembersInLexicographicOrder()
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters p = ec.ExportParameters(false);
        string canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{HandMadeJwt.Encode(p.Q.X!)}}","y":"{{HandMadeJwt.Encode(p.Q.Y!)}}"}""";
        string expected = HandMadeJwt.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.Equal(expected, JsonWebKey.FromECDsa(ec, keyId: "ignored", algorithm: "ES256").ComputeThumbprint());
    }

    [Fact]
    public void SigningKey_KidIsItsThumbprint()
    {
        SigningKey key = SigningKey.Create(TimeProvider.System);

        Assert.Equal(key.PublicKey.ComputeThumbprint(), key.KeyId);
        Assert.Equal(43, key.KeyId.Length);
    }
}
