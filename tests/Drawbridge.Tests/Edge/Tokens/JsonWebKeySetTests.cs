using System.Security.Cryptography;
using System.Text;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

public sealed class JsonWebKeySetTests
{
    private static readonly string P256X;
    private static readonly string P256Y;
    private static readonly string P256XShort;
    private static readonly string Rsa2048N;
    private static readonly string Rsa1024N;

    static JsonWebKeySetTests()
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters p = ec.ExportParameters(false);
        P256X = HandMadeJwt.Encode(p.Q.X!);
        P256Y = HandMadeJwt.Encode(p.Q.Y!);
        P256XShort = HandMadeJwt.Encode(p.Q.X![1..]);
        using RSA rsa = RSA.Create(2048);
        Rsa2048N = HandMadeJwt.Encode(rsa.ExportParameters(false).Modulus!);
        using RSA weak = RSA.Create(1024);
        Rsa1024N = HandMadeJwt.Encode(weak.ExportParameters(false).Modulus!);
    }

    private static string Ec(string members = "") => $$"""{"kty":"EC","crv":"P-256","x":"{{P256X}}","y":"{{P256Y}}"{{members}}}""";

    private static string Rsa(string members = "") => $$"""{"kty":"RSA","n":"{{Rsa2048N}}","e":"AQAB"{{members}}}""";

    private static JsonWebKeySet Parse(string json) => JsonWebKeySet.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Parses_EcAndRsaKeys_WithTheirMembers()
    {
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        ECParameters q = p384.ExportParameters(false);
        JsonWebKeySet set = Parse($$"""
            {"keys":[
              {{Ec(",\"kid\":\"ec\",\"use\":\"sig\",\"alg\":\"ES256\"")}},
              {{Rsa(",\"kid\":\"rsa\",\"alg\":\"RS256\",\"x5t\":\"ignored\"")}},
              {"kty":"EC","kid":"ec384","crv":"P-384","x":"{{HandMadeJwt.Encode(q.Q.X!)}}","y":"{{HandMadeJwt.Encode(q.Q.Y!)}}"}
            ],"extra":"ignored"}
            """);

        Assert.Empty(set.SkippedKeys);
        Assert.Equal(["ec", "rsa", "ec384"], set.Keys.Select(k => k.KeyId));
        Assert.True(set.TryFind("ec", out JsonWebKey? ec));
        Assert.Equal((JsonWebKeyType.EllipticCurve, "P-256", "sig", "ES256"), (ec.KeyType, ec.Curve, ec.Use, ec.Algorithm));
        Assert.True(set.TryFind("rsa", out JsonWebKey? rsa));
        Assert.Equal((JsonWebKeyType.Rsa, 2048, "RS256"), (rsa.KeyType, rsa.KeySizeBits, rsa.Algorithm));
        Assert.Equal(384, set.Keys[2].KeySizeBits);
        Assert.False(set.TryFind("missing", out _));
    }

    [Fact]
    public void PrivateMembers_AreIgnored_AndNeverRenderedBack()
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters p = ec.ExportParameters(true);
        using RSA rsa = RSA.Create(2048);
        RSAParameters r = rsa.ExportParameters(true);
        string privateSet = $$"""
            {"keys":[
              {"kty":"EC","kid":"ec","crv":"P-256","x":"{{HandMadeJwt.Encode(p.Q.X!)}}","y":"{{HandMadeJwt.Encode(p.Q.Y!)}}","d":"{{HandMadeJwt.Encode(p.D!)}}"},
              {"kty":"RSA","kid":"rsa","n":"{{HandMadeJwt.Encode(r.Modulus!)}}","e":"AQAB","d":"{{HandMadeJwt.Encode(r.D!)}}",
               "p":"{{HandMadeJwt.Encode(r.P!)}}","q":"{{HandMadeJwt.Encode(r.Q!)}}","dp":"{{HandMadeJwt.Encode(r.DP!)}}",
               "dq":"{{HandMadeJwt.Encode(r.DQ!)}}","qi":"{{HandMadeJwt.Encode(r.InverseQ!)}}"}
            ]}
            """;

        JsonWebKeySet set = Parse(privateSet);
        string rendered = Encoding.UTF8.GetString(JwksDocument.Render(set));

        Assert.Equal(2, set.Keys.Count);
        foreach (string member in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            Assert.DoesNotContain($"\"{member}\"", rendered, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(HandMadeJwt.Encode(p.D!), rendered, StringComparison.Ordinal);
        Assert.DoesNotContain(HandMadeJwt.Encode(r.D!), rendered, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> UnusableKeys() => new()
    {
        { "symmetric key", """{"kty":"oct","kid":"k","k":"c2VjcmV0"}""", "unsupported kty 'oct'" },
        { "OKP key", """{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", "unsupported kty 'OKP'" },
        { "no kty", """{"kid":"k","x":"AA"}""", "no \"kty\"" },
        { "kty not a string", """{"kty":1}""", "\"kty\" that is not a string" },
        { "not an object", "\"EC\"", "not a JSON object" },
        { "encryption key", Ec(",\"use\":\"enc\""), "use 'enc', not 'sig'" },
        { "alg of another family", Ec(",\"alg\":\"RS256\""), "alg 'RS256', which is not a supported signature algorithm for kty EC" },
        { "alg of another curve", Ec(",\"alg\":\"ES384\""), "cannot be used with curve P-256" },
        { "HMAC alg", Rsa(",\"alg\":\"HS256\""), "alg 'HS256'" },
        { "empty kid", Ec(",\"kid\":\"\""), "kid of 0 characters" },
        { "unsupported curve", $$"""{"kty":"EC","crv":"secp256k1","x":"{{P256X}}","y":"{{P256Y}}"}""", "unsupported crv 'secp256k1'" },
        { "P-521 curve", $$"""{"kty":"EC","crv":"P-521","x":"{{P256X}}","y":"{{P256Y}}"}""", "unsupported crv 'P-521'" },
        { "missing x", $$"""{"kty":"EC","crv":"P-256","y":"{{P256Y}}"}""", "no \"x\"" },
        { "missing crv", $$"""{"kty":"EC","x":"{{P256X}}","y":"{{P256Y}}"}""", "no \"crv\"" },
        { "x one byte short", $$"""{"kty":"EC","crv":"P-256","x":"{{P256XShort}}","y":"{{P256Y}}"}""", "must be 32 bytes for P-256 (got 31 and 32)" },
        { "x not base64url", $$"""{"kty":"EC","crv":"P-256","x":"{{P256X[..^1]}}=","y":"{{P256Y}}"}""", "\"x\" is not base64url" },
        { "point not on the curve", $$"""{"kty":"EC","crv":"P-256","x":"{{P256X}}","y":"{{P256X}}"}""", "is not a point on P-256" },
        { "RSA 1024-bit modulus", $$"""{"kty":"RSA","n":"{{Rsa1024N}}","e":"AQAB"}""", "RSA modulus of 1024 bits" },
        { "RSA missing e", $$"""{"kty":"RSA","n":"{{Rsa2048N}}"}""", "no \"e\"" },
        { "RSA even exponent", $$"""{"kty":"RSA","n":"{{Rsa2048N}}","e":"AQAA"}""", "RSA exponent or modulus is not valid" },
        { "RSA exponent 1", $$"""{"kty":"RSA","n":"{{Rsa2048N}}","e":"AQ"}""", "RSA exponent or modulus is not valid" },
        { "RSA exponent of 8 bytes", $$"""{"kty":"RSA","n":"{{Rsa2048N}}","e":"AQAAAAAAAAE"}""", "RSA exponent or modulus is not valid" },
        { "RSA modulus a number", """{"kty":"RSA","n":12345,"e":"AQAB"}""", "\"n\" that is not a string" },
    };

    [Theory]
    [MemberData(nameof(UnusableKeys))]
    public void UnusableKey_IsSkipped_WithItsReason_AndTheRestOfTheSetIsKept(string name, string keyJson, string reason)
    {
        JsonWebKeySet set = Parse($$"""{"keys":[{{keyJson}},{{Ec(",\"kid\":\"good\"")}}]}""");

        Assert.Equal(["good"], set.Keys.Select(k => k.KeyId));
        Assert.True(Assert.Single(set.SkippedKeys).Contains(reason, StringComparison.Ordinal),
            $"{name}: expected '{reason}' in '{set.SkippedKeys[0]}'");
    }

    [Fact]
    public void SkipReasons_SayWhatIsWrong()
    {
        JsonWebKeySet set = Parse($$"""{"keys":[{"kty":"RSA","kid":"old","n":"{{Rsa1024N}}","e":"AQAB"}]}""");

        Assert.Equal("key 'old': RSA modulus of 1024 bits (between 2048 and 8192 required)", Assert.Single(set.SkippedKeys));
    }

    public static TheoryData<string, string> UnusableDocuments() => new()
    {
        { "not JSON", "{\"keys\":[" },
        { "JSON with a comment", "{\"keys\":[] /* hi */}" },
        { "trailing comma", "{\"keys\":[],}" },
        { "a JSON array", "[]" },
        { "a JSON string", "\"keys\"" },
        { "no keys", "{}" },
        { "keys not an array", "{\"keys\":{}}" },
        { "keys repeated", "{\"keys\":[],\"keys\":[]}" },
        { "member repeated inside a key", $$"""{"keys":[{"kty":"EC","kty":"RSA","n":"{{Rsa2048N}}","e":"AQAB"}]}""" },
        { "two keys with one kid", $$"""{"keys":[{{Ec(",\"kid\":\"same\"")}},{{Rsa(",\"kid\":\"same\"")}}]}""" },
        { "65 keys", "{\"keys\":[" + string.Join(',', Enumerable.Repeat("{\"kty\":\"oct\"}", 65)) + "]}" },
        { "nested 100 deep", "{\"keys\":[]," + "\"x\":" + string.Concat(Enumerable.Repeat("[", 100)) + new string(']', 100) + "}" },
        { "1 MB document", "{\"keys\":[],\"pad\":\"" + new string('x', 1024 * 1024) + "\"}" },
    };

    [Theory]
    [MemberData(nameof(UnusableDocuments))]
    public void UnusableDocument_IsRejected(string name, string json)
    {
        var ex = Assert.Throws<JsonWebKeySetException>(() => Parse(json));
        Assert.StartsWith("the JWKS document", ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void DuplicateKid_MessageNamesIt()
    {
        var ex = Assert.Throws<JsonWebKeySetException>(() => Parse($$"""{"keys":[{{Ec(",\"kid\":\"k1\"")}},{{Ec(",\"kid\":\"k1\"")}}]}"""));
        Assert.Equal("the JWKS document has two keys with kid 'k1'", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_StopsReading_AfterTheSizeLimit()
    {
        using var huge = new MemoryStream(Encoding.UTF8.GetBytes("{\"keys\":[],\"pad\":\"" + new string('x', 1024 * 1024) + "\"}"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<JsonWebKeySetException>(() => JsonWebKeySet.ReadAsync(huge, cancel.Token));
        Assert.True(huge.Position <= JsonWebKeySet.MaxDocumentBytes + 1);

        using var fine = new MemoryStream(Encoding.UTF8.GetBytes($$"""{"keys":[{{Ec(",\"kid\":\"a\"")}}]}"""));
        Assert.Single((await JsonWebKeySet.ReadAsync(fine, cancel.Token)).Keys);
    }

    [Fact]
    public void Constructor_RefusesDuplicateKids()
    {
        JsonWebKey key = Parse($$"""{"keys":[{{Ec(",\"kid\":\"a\"")}}]}""").Keys[0];
        Assert.Throws<ArgumentException>(() => new JsonWebKeySet([key, key]));
    }

    [Fact]
    public void FromRsa_RefusesKeysShorterThan2048Bits()
    {
        using RSA weak = RSA.Create(1024);
        Assert.Throws<ArgumentException>(() => JsonWebKey.FromRsa(weak));
    }
}
