using System.Security.Cryptography;
using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>App-token signing keys (schema 2). The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStoreSigningKeyTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private readonly PostgresServer? _server;

    private protected EdgeStoreSigningKeyTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task AddSigningKey_StoresTheKeyAsGiven_AndItStillImports()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey());

        var key = await Store.AddSigningKeyAsync("2025-06-01.a", "ES256", pkcs8, Token);
        await _scope.ReopenAsync();

        Assert.Equal(new StoredSigningKey("2025-06-01.a", "ES256", pkcs8, _scope.Time.GetUtcNow(), null), key);
        var read = Assert.Single(await _scope.Store.ListSigningKeysAsync(Token));
        Assert.Equal(key, read);
        using var imported = ECDsa.Create();
        imported.ImportPkcs8PrivateKey(Convert.FromBase64String(read.PrivateKeyPkcs8), out _);
        Assert.Equal(ecdsa.ExportParameters(false).Q.X, imported.ExportParameters(false).Q.X);
    }

    [Fact]
    public async Task SigningKey_ToString_NeverPrintsThePrivateKey()
    {
        var pkcs8 = NewKey();

        var key = await Store.AddSigningKeyAsync("k1", "ES256", pkcs8, Token);

        var text = key.ToString();
        Assert.DoesNotContain(pkcs8, text, StringComparison.Ordinal);
        Assert.DoesNotContain(pkcs8[..16], text, StringComparison.Ordinal);
        Assert.Contains("KeyId = k1", text, StringComparison.Ordinal);
        Assert.Contains("(redacted)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(pkcs8[..16], $"{key}", StringComparison.Ordinal);
        Assert.DoesNotContain(pkcs8[..16], new[] { key }.Select(k => k.ToString()).Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSigningKey_WithATakenKeyId_IsAConflict_EvenWhenRetired()
    {
        await Store.AddSigningKeyAsync("k1", "ES256", NewKey(), Token);
        await Store.RetireSigningKeyAsync("k1", _scope.Time.GetUtcNow(), Token);

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddSigningKeyAsync("k1", "ES256", NewKey(), Token));

        Assert.Equal("A signing key with id \"k1\" already exists: key ids are never reused, pick a new one.", ex.Message);
        Assert.Single(await Store.ListSigningKeysAsync(Token));
    }

    [Fact]
    public async Task ListSigningKeys_IncludesRetiredOnes_OldestFirst()
    {
        var old = await Store.AddSigningKeyAsync("zz-old", "ES256", NewKey(), Token);
        _scope.Time.Advance(TimeSpan.FromDays(30));
        var current = await Store.AddSigningKeyAsync("aa-new", "ES256", NewKey(), Token);
        await Store.RetireSigningKeyAsync("zz-old", _scope.Time.GetUtcNow(), Token);

        Assert.Equal(["zz-old", "aa-new"], (await Store.ListSigningKeysAsync(Token)).Select(k => k.KeyId));
        Assert.Null((await Store.ListSigningKeysAsync(Token))[1].RetiredAt);
        Assert.Equal(current, (await Store.ListSigningKeysAsync(Token))[1]);
        Assert.NotEqual(old, (await Store.ListSigningKeysAsync(Token))[0]);
    }

    [Fact]
    public async Task RetireSigningKey_StampsTheGivenTime_Once()
    {
        var key = await Store.AddSigningKeyAsync("k1", "ES256", NewKey(), Token);
        var at = _scope.Time.GetUtcNow().AddHours(1).AddTicks(5678);

        Assert.True(await Store.RetireSigningKeyAsync("k1", at, Token));
        Assert.False(await Store.RetireSigningKeyAsync("k1", at.AddDays(1), Token));
        Assert.False(await Store.RetireSigningKeyAsync("unknown", at, Token));

        Assert.Equal(key with { RetiredAt = _scope.Time.GetUtcNow().AddHours(1) }, Assert.Single(await Store.ListSigningKeysAsync(Token)));
    }

    [Fact]
    public async Task DeleteSigningKey_DeletesOnce()
    {
        await Store.AddSigningKeyAsync("gone", "ES256", NewKey(), Token);
        var kept = await Store.AddSigningKeyAsync("kept", "RS256", NewKey(), Token);

        Assert.True(await Store.DeleteSigningKeyAsync("gone", Token));
        Assert.False(await Store.DeleteSigningKeyAsync("gone", Token));
        Assert.False(await Store.DeleteSigningKeyAsync("never", Token));

        Assert.Equal([kept], await Store.ListSigningKeysAsync(Token));
    }

    [Theory]
    [InlineData("", "keyId: is empty")]
    [InlineData("has space", "keyId: \"has space\" has characters other than")]
    [InlineData("a/b", "keyId: \"a/b\" has characters other than")]
    [InlineData("k1'; DROP TABLE signing_keys;--", "keyId: \"k1'; DROP TABLE signing_keys;--\" has characters other than")]
    [InlineData("k1\n", "keyId: \"k1?\" has characters other than")]
    [InlineData("129", "keyId: is 129 characters long: at most 128")]
    public async Task SigningKeyMethods_RefuseABadKeyId(string keyId, string expected)
    {
        if (int.TryParse(keyId, out var length))
        {
            keyId = new string('k', length);
        }

        var add = await Assert.ThrowsAsync<StoreValidationException>(() => Store.AddSigningKeyAsync(keyId, "ES256", NewKey(), Token));
        var retire = await Assert.ThrowsAsync<StoreValidationException>(() => Store.RetireSigningKeyAsync(keyId, _scope.Time.GetUtcNow(), Token));
        var delete = await Assert.ThrowsAsync<StoreValidationException>(() => Store.DeleteSigningKeyAsync(keyId, Token));

        Assert.StartsWith(expected, add.Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, retire.Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, delete.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("es256")]
    [InlineData("ES256\n")]
    public async Task AddSigningKey_RefusesAnythingButAnAsymmetricJwsAlgorithm(string algorithm)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.AddSigningKeyAsync("k1", algorithm, NewKey(), Token));

        Assert.StartsWith("algorithm: ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("is not one of ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("-----BEGIN PRIVATE KEY-----")]
    [InlineData("QUJD\nREVG")]
    [InlineData("toolong")]
    public async Task AddSigningKey_RefusesAKeyThatIsNotBase64_WithoutQuotingIt(string key)
    {
        if (key == "toolong")
        {
            key = Convert.ToBase64String(new byte[13_000]);
        }

        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.AddSigningKeyAsync("k1", "ES256", key, Token));

        Assert.StartsWith("privateKeyPkcs8: ", ex.Message, StringComparison.Ordinal);
        if (key.Length > 3)
        {
            Assert.DoesNotContain(key, ex.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await Store.ListSigningKeysAsync(Token));
    }

    private static string NewKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey());
    }
}
