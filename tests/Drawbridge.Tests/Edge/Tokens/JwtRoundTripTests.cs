using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

public sealed class JwtRoundTripTests
{
    private readonly AppTokenScene _scene = new();

    [Fact]
    public void IssuedToken_Validates_AndEveryClaimReadsBack()
    {
        AppTokenClaims claims = _scene.Claims();
        string token = JwtWriter.Write(claims, _scene.Ring);

        TokenValidationResult result = _scene.Validate(token);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(TokenFailure.None, result.Failure);
        Assert.Equal("ES256", result.Token.Algorithm);
        Assert.Equal(_scene.Kid, result.Token.KeyId);
        Assert.Equal("user-ada", result.Token.Subject);
        Assert.Equal(AppTokenScene.Start.AddHours(1), result.Token.ExpiresAt);
        Assert.True(AppTokenClaims.TryRead(result.Token, out AppTokenClaims? read, out string error), error);
        Assert.Equal(claims with { Groups = read.Groups }, read);
        Assert.Equal(["admins", "db-readers"], read.Groups);
    }

    [Fact]
    public void IssuedToken_WithoutEmail_OmitsTheClaim_AndReadsBackNull()
    {
        string token = JwtWriter.Write(_scene.Claims(email: null), _scene.Ring);

        Assert.DoesNotContain("email", HandMadeJwt.DecodePart(HandMadeJwt.Parts(token)[1]), StringComparison.Ordinal);
        TokenValidationResult result = _scene.Validate(token);
        Assert.True(result.IsValid, result.Message);
        Assert.True(AppTokenClaims.TryRead(result.Token, out AppTokenClaims? read, out _));
        Assert.Null(read.Email);
    }

    [Fact]
    public void Header_IsEs256_Jwt_WithTheThumbprintKid()
    {
        using JsonDocument header = JsonDocument.Parse(HandMadeJwt.DecodePart(HandMadeJwt.Parts(_scene.Issue())[0]));

        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(_scene.Ring.Current.PublicKey.ComputeThumbprint(), header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(3, header.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Payload_UsesCloudflareCompatibleNames()
    {
        using JsonDocument payload = JsonDocument.Parse(HandMadeJwt.DecodePart(HandMadeJwt.Parts(_scene.Issue())[1]));
        JsonElement root = payload.RootElement;

        Assert.Equal(
            ["aud", "email", "exp", "groups", "iat", "iss", "login_method", "nbf", "sid", "sub", "type"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Array, root.GetProperty("aud").ValueKind);
        Assert.Equal(AppTokenScene.AppA, root.GetProperty("aud")[0].GetString());
        Assert.Equal("app", root.GetProperty("type").GetString());
        Assert.Equal("session-42", root.GetProperty("sid").GetString());
        Assert.Equal("okta", root.GetProperty("login_method").GetString());
        Assert.Equal(AppTokenScene.Start.ToUnixTimeSeconds(), root.GetProperty("iat").GetInt64());
        Assert.Equal(AppTokenScene.Start.ToUnixTimeSeconds(), root.GetProperty("nbf").GetInt64());
        Assert.Equal(AppTokenScene.Start.AddHours(1).ToUnixTimeSeconds(), root.GetProperty("exp").GetInt64());
    }

    [Fact]
    public void Signature_IsIeeeP1363_RConcatS_VerifiableWithTheBclDirectly()
    {
        string[] parts = HandMadeJwt.Parts(_scene.Issue());
        byte[] signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        byte[] signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        using ECDsa publicKey = _scene.Ring.Current.PublicKey.CreateECDsa();

        Assert.Equal(64, signature.Length);
        Assert.True(publicKey.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(publicKey.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Token_IsAccepted_UntilExpiryPlusSkew_ThenRefused()
    {
        string token = _scene.Issue();

        _scene.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(59));
        Assert.True(_scene.Validate(token).IsValid);

        _scene.Time.Advance(TimeSpan.FromSeconds(1));
        TokenValidationResult result = _scene.Validate(token);
        Assert.Equal(TokenFailure.Expired, result.Failure);
        Assert.Equal("token expired at 2026-11-26T10:00:00Z", result.Message);
    }

    [Fact]
    public void Writer_RefusesALifetimeTheRingCannotKeepVerifiable()
    {
        Assert.Throws<ArgumentException>(() => _scene.Issue(lifetime: AppTokenScene.MaxLifetime + TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => _scene.Issue(lifetime: TimeSpan.Zero));
        Assert.True(_scene.Validate(_scene.Issue(lifetime: AppTokenScene.MaxLifetime)).IsValid);
    }

    [Fact]
    public void TryRead_RefusesAValidTokenThatIsNotAnAppToken()
    {
        string token = _scene.SignWithOurKey(_scene.Header(), _scene.Payload());
        TokenValidationResult result = _scene.Validate(token);
        Assert.True(result.IsValid, result.Message);

        Assert.False(AppTokenClaims.TryRead(result.Token, out _, out string error));
        Assert.StartsWith("the token is not an app token", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EverySingleCharacterChange_IsRefused_WithoutAnException()
    {
        string token = _scene.Issue();
        TokenValidationParameters parameters = _scene.Parameters();
        int refused = 0;

        for (int i = 0; i < token.Length; i++)
        {
            foreach (char replacement in "A_-.=+/ \u00e9")
            {
                if (token[i] == replacement)
                {
                    continue;
                }

                string mutated = string.Concat(token.AsSpan(0, i), replacement.ToString(), token.AsSpan(i + 1));
                TokenValidationResult result = JwtValidator.Validate(mutated, parameters);
                Assert.False(result.IsValid, $"mutation at {i} to '{replacement}' was accepted");
                Assert.NotEqual(TokenFailure.None, result.Failure);
                refused++;
            }
        }

        Assert.True(refused > token.Length * 7);
    }

    [Fact]
    public void EveryTruncation_IsRefused_WithoutAnException()
    {
        string token = _scene.Issue();
        TokenValidationParameters parameters = _scene.Parameters();

        for (int length = 0; length < token.Length; length++)
        {
            Assert.False(JwtValidator.Validate(token[..length], parameters).IsValid);
        }

        Assert.False(JwtValidator.Validate(null, parameters).IsValid);
    }
}
