using System.Security.Cryptography;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

/// <summary>ID tokens of an OpenID provider, signed with the BCL and validated against its JWKS.</summary>
/// <remarks>One provider for the class: generating its RSA keys is the slow part.</remarks>
public sealed class IdTokenValidationTests(FakeOpenIdProvider idp) : IClassFixture<FakeOpenIdProvider>
{
    private readonly FakeOpenIdProvider _idp = idp;

    [Fact]
    public void Rs256_IdToken_Validates()
    {
        string token = HandMadeJwt.SignRsa(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1","typ":"JWT"}""", _idp.IdTokenClaims(),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        TokenValidationResult result = JwtValidator.Validate(token, _idp.Parameters());

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("RS256", result.Token.Algorithm);
        Assert.Equal("rsa-1", result.Token.KeyId);
        Assert.Equal("user-1", result.Token.Subject);
        Assert.Equal("grace@example.org", result.Token.GetString("email"));
        Assert.Null(result.Token.GetString("email_verified"));
        Assert.Equal("eng", result.Token.Payload.GetProperty("groups")[0].GetString());
    }

    [Fact]
    public void Ps256_IdToken_Validates_WithA3072BitKey()
    {
        string token = HandMadeJwt.SignRsa(_idp.PssKey, """{"alg":"PS256","kid":"rsa-pss"}""", _idp.IdTokenClaims(),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        TokenValidationResult result = JwtValidator.Validate(token, _idp.Parameters());

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("PS256", result.Token.Algorithm);
    }

    [Fact]
    public void Es256_And_Es384_IdTokens_Validate()
    {
        string es256 = HandMadeJwt.SignEcdsa(_idp.EcKey, """{"alg":"ES256","kid":"ec-1"}""", _idp.IdTokenClaims(), HashAlgorithmName.SHA256);
        string es384 = HandMadeJwt.SignEcdsa(_idp.Ec384Key, """{"alg":"ES384","kid":"ec-384"}""", _idp.IdTokenClaims(), HashAlgorithmName.SHA384);

        Assert.True(JwtValidator.Validate(es256, _idp.Parameters()).IsValid);
        Assert.True(JwtValidator.Validate(es384, _idp.Parameters()).IsValid);
    }

    [Fact]
    public void AudienceArray_ContainingTheClient_Validates()
    {
        string token = HandMadeJwt.SignRsa(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""",
            _idp.IdTokenClaims(audienceJson: $"[\"other-client\",\"{FakeOpenIdProvider.ClientId}\"]"),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.True(JwtValidator.Validate(token, _idp.Parameters()).IsValid);
    }

    [Fact]
    public void FractionalNumericDates_AreAccepted()
    {
        string claims = HandMadeJwt.Claims(FakeOpenIdProvider.Issuer, $"\"{FakeOpenIdProvider.ClientId}\"",
            _idp.Now, _idp.Now, _idp.Now + 300, $",\"nonce\":\"{FakeOpenIdProvider.Nonce}\"").Replace($"\"iat\":{_idp.Now}", $"\"iat\":{_idp.Now}.25", StringComparison.Ordinal);
        string token = HandMadeJwt.SignRsa(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""", claims, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        TokenValidationResult result = JwtValidator.Validate(token, _idp.Parameters());

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(_idp.Time.GetUtcNow(), result.Token.IssuedAt);
    }

    public static TheoryData<string, string> HostileCases() => new()
    {
        { "RS256 header naming the EC key", nameof(TokenFailure.KeyMismatch) },
        { "ES256 header naming the P-384 key", nameof(TokenFailure.KeyMismatch) },
        { "PS256 with the key published for RS256", nameof(TokenFailure.KeyMismatch) },
        { "RS256 with the encryption key", nameof(TokenFailure.UnknownKeyId) },
        { "ES256 signature in DER, not r||s", nameof(TokenFailure.BadSignature) },
        { "RS256 signature truncated by one byte", nameof(TokenFailure.BadSignature) },
        { "PKCS#1 v1.5 signature under PS256", nameof(TokenFailure.BadSignature) },
        { "no kid while several RSA keys could verify", nameof(TokenFailure.MissingKeyId) },
        { "HS256 keyed with the provider's modulus", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "wrong nonce", nameof(TokenFailure.WrongNonce) },
        { "no nonce", nameof(TokenFailure.MissingClaim) },
        { "for another client", nameof(TokenFailure.WrongAudience) },
        { "from another issuer", nameof(TokenFailure.WrongIssuer) },
        { "expired", nameof(TokenFailure.Expired) },
    };

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void HostileIdToken_IsRefused(string name, string expected)
    {
        TokenValidationResult result = JwtValidator.Validate(Build(name), _idp.Parameters());

        Assert.Equal(Enum.Parse<TokenFailure>(expected), result.Failure);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void AlgorithmTheProviderDoesNotAdvertise_IsNotAllowed()
    {
        string token = HandMadeJwt.SignEcdsa(_idp.EcKey, """{"alg":"ES256","kid":"ec-1"}""", _idp.IdTokenClaims(), HashAlgorithmName.SHA256);

        TokenValidationResult result = JwtValidator.Validate(token, _idp.Parameters(advertised: ["RS256"]));

        Assert.Equal(TokenFailure.AlgorithmNotAllowed, result.Failure);
        Assert.Equal("algorithm ES256 is not allowed here (allowed: RS256)", result.Message);
    }

    [Fact]
    public void ForIdTokens_DropsNoneAndHmac_AndDefaultsToRs256()
    {
        Assert.Equal(["RS256"], _idp.Parameters(advertised: ["none", "HS256", "RS256"]).AllowedAlgorithms);
        Assert.Equal(["RS256"], TokenValidationParameters.ForIdTokens(JsonWebKeySet.Parse(_idp.Jwks), FakeOpenIdProvider.Issuer,
            FakeOpenIdProvider.ClientId, null, null, _idp.Time).AllowedAlgorithms);
        Assert.Throws<ArgumentException>(() => _idp.Parameters(advertised: ["HS256", "none"]));
    }

    [Fact]
    public void WithoutARequiredNonce_TheNonceIsNotChecked()
    {
        string token = HandMadeJwt.SignRsa(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""", _idp.IdTokenClaims(nonce: "other"),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.True(JwtValidator.Validate(token, _idp.Parameters(nonce: null)).IsValid);
    }

    private string Build(string name)
    {
        string claims = _idp.IdTokenClaims();
        return name switch
        {
            "RS256 header naming the EC key" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"ec-1"}""", claims),
            "ES256 header naming the P-384 key" => HandMadeJwt.SignEcdsa(_idp.Ec384Key, """{"alg":"ES256","kid":"ec-384"}""", claims, HashAlgorithmName.SHA256),
            "PS256 with the key published for RS256" => HandMadeJwt.SignRsa(_idp.RsaKey, """{"alg":"PS256","kid":"rsa-1"}""", claims,
                HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "RS256 with the encryption key" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"enc-1"}""", claims),
            "ES256 signature in DER, not r||s" => HandMadeJwt.SignEcdsa(_idp.EcKey, """{"alg":"ES256","kid":"ec-1"}""", claims,
                HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            "RS256 signature truncated by one byte" => HandMadeJwt.Sign("""{"alg":"RS256","kid":"rsa-1"}""", claims,
                data => _idp.RsaKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)[1..]),
            "PKCS#1 v1.5 signature under PS256" => Rs256(_idp.PssKey, """{"alg":"PS256","kid":"rsa-pss"}""", claims),
            "no kid while several RSA keys could verify" => Rs256(_idp.RsaKey, """{"alg":"RS256"}""", claims),
            "HS256 keyed with the provider's modulus" => HandMadeJwt.SignHmac(_idp.RsaKey.ExportParameters(false).Modulus!,
                """{"alg":"HS256","kid":"rsa-1"}""", claims),
            "wrong nonce" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""", _idp.IdTokenClaims(nonce: "replayed")),
            "no nonce" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""",
                HandMadeJwt.Claims(FakeOpenIdProvider.Issuer, $"\"{FakeOpenIdProvider.ClientId}\"", _idp.Now, _idp.Now, _idp.Now + 300)),
            "for another client" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""", _idp.IdTokenClaims(audienceJson: "\"someone-else\"")),
            "from another issuer" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""",
                claims.Replace(FakeOpenIdProvider.Issuer, "https://idp.example.org/other", StringComparison.Ordinal)),
            "expired" => Rs256(_idp.RsaKey, """{"alg":"RS256","kid":"rsa-1"}""",
                HandMadeJwt.Claims(FakeOpenIdProvider.Issuer, $"\"{FakeOpenIdProvider.ClientId}\"", _idp.Now - 900, _idp.Now - 900, _idp.Now - 600,
                    $",\"nonce\":\"{FakeOpenIdProvider.Nonce}\"")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };
    }

    private static string Rs256(RSA key, string header, string claims) =>
        HandMadeJwt.SignRsa(key, header, claims, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}
