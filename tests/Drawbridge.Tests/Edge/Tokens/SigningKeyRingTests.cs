using System.Security.Cryptography;
using System.Text.Json;
using Drawbridge.Edge.Storage;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

public sealed class SigningKeyRingTests
{
    private readonly AppTokenScene _scene = new();

    [Fact]
    public void TokenSignedWithTheOldKey_StillValidates_AfterRotate()
    {
        string before = _scene.Issue(lifetime: TimeSpan.FromHours(24));
        string oldKid = _scene.Kid;

        _scene.Time.Advance(TimeSpan.FromMinutes(1));
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        string after = _scene.Issue();

        Assert.NotEqual(oldKid, _scene.Kid);
        Assert.Equal(oldKid, Assert.Single(_scene.Ring.Retired).KeyId);
        Assert.True(_scene.Validate(before).IsValid);
        Assert.True(_scene.Validate(after).IsValid);
        Assert.Equal(_scene.Kid, _scene.Validate(after).Token!.KeyId);
    }

    [Fact]
    public void RetiredKey_VerifiesUntilEveryTokenItSignedHasExpired()
    {
        string token = _scene.Issue(lifetime: AppTokenScene.MaxLifetime);
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        SigningKey retired = _scene.Ring.Retired[0];

        Assert.Equal(AppTokenScene.Start + AppTokenScene.MaxLifetime + TokenValidationParameters.MaxClockSkew, _scene.Ring.VerifiesUntil(retired));
        Assert.Null(_scene.Ring.VerifiesUntil(_scene.Ring.Current));

        // The last moment the validator could accept the token: exp + skew - 1 s.
        _scene.Time.Advance(AppTokenScene.MaxLifetime + TokenValidationParameters.DefaultClockSkew - TimeSpan.FromSeconds(1));
        _scene.Ring = _scene.Ring.Prune(_scene.Time);
        Assert.True(_scene.Validate(token).IsValid);
    }

    [Fact]
    public void TokenSignedByAKeyRemovedAfterExpiry_IsRefused_AsUnknownKid()
    {
        string token = _scene.Issue();
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);

        _scene.Time.Advance(_scene.Ring.Retention + TimeSpan.FromSeconds(1));
        SigningKeyRing pruned = _scene.Ring.Prune(_scene.Time);
        _scene.Ring = pruned;

        Assert.Empty(pruned.Retired);
        Assert.Single(pruned.PublicKeys.Keys);
        TokenValidationResult result = _scene.Validate(token);
        Assert.Equal(TokenFailure.UnknownKeyId, result.Failure);
    }

    [Fact]
    public void Rotate_DropsKeysPastRetention_AndPruneWithNothingToDropKeepsTheInstance()
    {
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        Assert.Same(_scene.Ring, _scene.Ring.Prune(_scene.Time));

        _scene.Time.Advance(TimeSpan.FromHours(1));
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        Assert.Equal(2, _scene.Ring.Retired.Count);

        _scene.Time.Advance(_scene.Ring.Retention - TimeSpan.FromMinutes(30));
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        Assert.Equal(2, _scene.Ring.Retired.Count);
        Assert.Equal(3, _scene.Ring.PublicKeys.Keys.Count);
    }

    [Fact]
    public void IsRotationDue_AfterTheInterval()
    {
        Assert.False(_scene.Ring.IsRotationDue(_scene.Time, SigningKeyRing.DefaultRotationInterval));
        _scene.Time.Advance(SigningKeyRing.DefaultRotationInterval);
        Assert.True(_scene.Ring.IsRotationDue(_scene.Time, SigningKeyRing.DefaultRotationInterval));
    }

    [Fact]
    public void StoredRing_RestoresTheSameKeys_AndOldTokensStillValidate()
    {
        string beforeRotation = _scene.Issue();
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        string afterRotation = _scene.Issue();
        StoredSigningKey[] stored = [_scene.Ring.Current.ToStored(), .. _scene.Ring.Retired.Select(k => k.ToStored())];

        SigningKeyRing restored = SigningKeyRing.FromStored(stored, AppTokenScene.MaxLifetime, _scene.Time);
        _scene.Ring = restored;

        Assert.Equal(stored[0].KeyId, restored.Current.KeyId);
        Assert.Equal(stored[1].KeyId, Assert.Single(restored.Retired).KeyId);
        Assert.True(_scene.Validate(beforeRotation).IsValid);
        Assert.True(_scene.Validate(afterRotation).IsValid);
        Assert.True(_scene.Validate(_scene.Issue()).IsValid);
        Assert.All(stored, s => Assert.Equal("ES256", s.Algorithm));
    }

    [Fact]
    public void FromStored_TwoCurrentKeys_TheNewestWins_AndTheOtherStillVerifies()
    {
        SigningKey older = SigningKey.Create(_scene.Time);
        _scene.Time.Advance(TimeSpan.FromSeconds(5));
        SigningKey newer = SigningKey.Create(_scene.Time);

        SigningKeyRing ring = SigningKeyRing.FromStored([older.ToStored(), newer.ToStored()], AppTokenScene.MaxLifetime, _scene.Time);

        Assert.Equal(newer.KeyId, ring.Current.KeyId);
        Assert.Equal(older.KeyId, Assert.Single(ring.Retired).KeyId);
        Assert.Equal(newer.CreatedAt, ring.Retired[0].RetiredAt);
    }

    [Fact]
    public void FromStored_DropsRetiredKeysPastRetention()
    {
        SigningKey current = SigningKey.Create(_scene.Time);
        SigningKey longGone = SigningKey.Create(_scene.Time).Retire(_scene.Time.GetUtcNow() - TimeSpan.FromDays(30));

        SigningKeyRing ring = SigningKeyRing.FromStored([current.ToStored(), longGone.ToStored()], AppTokenScene.MaxLifetime, _scene.Time);

        Assert.Empty(ring.Retired);
    }

    [Fact]
    public void FromStored_RefusesCorruptOrForeignRecords()
    {
        StoredSigningKey good = _scene.Ring.Current.ToStored();
        using RSA rsa = RSA.Create(2048);
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<CryptographicException>(() => SigningKey.FromStored(good with { PrivateKeyPkcs8 = Convert.ToBase64String(new byte[40]) }));
        Assert.Throws<CryptographicException>(() => SigningKey.FromStored(good with { PrivateKeyPkcs8 = "not base64!" }));
        Assert.Throws<CryptographicException>(() => SigningKey.FromStored(good with { PrivateKeyPkcs8 = Convert.ToBase64String(rsa.ExportPkcs8PrivateKey()) }));
        Assert.Throws<CryptographicException>(() => SigningKey.FromStored(good with { PrivateKeyPkcs8 = Convert.ToBase64String(p384.ExportPkcs8PrivateKey()) }));
        Assert.Throws<CryptographicException>(() => SigningKey.FromStored(good with { KeyId = "someone-elses-kid" }));
        Assert.Throws<CryptographicException>(() => SigningKey.FromStored(good with { Algorithm = "RS256" }));
        Assert.Throws<InvalidDataException>(() =>
            SigningKeyRing.FromStored([good with { RetiredAt = _scene.Time.GetUtcNow() }], AppTokenScene.MaxLifetime, _scene.Time));
        Assert.Throws<InvalidDataException>(() => SigningKeyRing.FromStored([], AppTokenScene.MaxLifetime, _scene.Time));
    }

    [Fact]
    public void PrivateKeyMaterial_NeverAppearsInToString()
    {
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        SigningKey key = _scene.Ring.Current;
        StoredSigningKey stored = key.ToStored();
        string secret = stored.PrivateKeyPkcs8;

        Assert.DoesNotContain(secret, key.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, _scene.Ring.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..16], _scene.Ring.Retired[0].ToString(), StringComparison.Ordinal);
        Assert.Contains(key.KeyId, key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Jwks_NeverContainsAPrivateMember()
    {
        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        using JsonDocument jwks = JsonDocument.Parse(JwksDocument.Render(_scene.Ring));

        JsonElement[] keys = [.. jwks.RootElement.GetProperty("keys").EnumerateArray()];
        Assert.Equal(2, keys.Length);
        foreach (JsonElement key in keys)
        {
            Assert.False(key.TryGetProperty("d", out _));
            Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }
    }
}
