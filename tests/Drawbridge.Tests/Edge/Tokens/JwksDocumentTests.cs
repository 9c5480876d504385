using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

public sealed class JwksDocumentTests
{
    [Fact]
    public void RenderedRing_ParsesBack_ToTheSameKeys()
    {
        var scene = new AppTokenScene();
        scene.Ring = scene.Ring.Rotate(scene.Time);

        JsonWebKeySet parsed = JsonWebKeySet.Parse(JwksDocument.Render(scene.Ring));

        Assert.Empty(parsed.SkippedKeys);
        Assert.Equal(scene.Ring.PublicKeys.Keys.Select(k => k.KeyId), parsed.Keys.Select(k => k.KeyId));
        Assert.All(parsed.Keys, k => Assert.Equal(k.KeyId, k.ComputeThumbprint()));
        Assert.All(parsed.Keys, k => Assert.Equal(("ES256", "sig", "P-256"), (k.Algorithm, k.Use, k.Curve)));
    }

    [Fact]
    public void ValidatorFedTheRenderedJwks_AcceptsOurTokens()
    {
        var scene = new AppTokenScene();
        string token = scene.Issue();
        JsonWebKeySet published = JsonWebKeySet.Parse(JwksDocument.Render(scene.Ring));

        var parameters = new TokenValidationParameters(published, AppTokenScene.Issuer, [AppTokenScene.AppA], ["ES256"]) { TimeProvider = scene.Time };

        Assert.True(JwtValidator.Validate(token, parameters).IsValid);
    }

    [Fact]
    public void RsaKeys_RenderNAndE_WithoutLeadingZeros()
    {
        using RSA rsa = RSA.Create(2048);
        var set = new JsonWebKeySet([JsonWebKey.FromRsa(rsa, "r1", "RS256")]);

        using JsonDocument document = JsonDocument.Parse(JwksDocument.Render(set));
        JsonElement key = document.RootElement.GetProperty("keys")[0];

        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("AQAB", key.GetProperty("e").GetString());
        Assert.Equal(256, System.Buffers.Text.Base64Url.DecodeFromChars(key.GetProperty("n").GetString()).Length);
        Assert.False(key.TryGetProperty("crv", out _));
        Assert.Equal("""{"keys":[]}""", Encoding.UTF8.GetString(JwksDocument.Render(JsonWebKeySet.Empty)));
    }

    [Fact]
    public void PublishedPaths_AreTheWellKnownAndTheCloudflareOnes()
    {
        Assert.Equal("/.well-known/jwks.json", JwksDocument.WellKnownPath);
        Assert.Equal("/cdn-cgi/access/certs", JwksDocument.CloudflareCertsPath);
    }
}
