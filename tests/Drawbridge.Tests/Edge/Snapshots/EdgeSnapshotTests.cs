using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Edge.Storage;

namespace Drawbridge.Tests.Edge.Snapshots;

public sealed class EdgeSnapshotTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync();

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task Load_MapsHostnamesToTunnelsInAnyCase()
    {
        var tunnel = await _scope.Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), _scope.Token);
        await _scope.Store.AddRouteAsync("db.example.com", tunnel.Id, _scope.Token);

        var snapshot = await LoadAsync();

        Assert.True(snapshot.TryGetTunnelForHostname("DB.Example.com", out var id));
        Assert.Equal(tunnel.Id, id);
        Assert.False(snapshot.TryGetTunnelForHostname("other.example.com", out _));
    }

    [Fact]
    public async Task Load_RemembersTheChangeCounterItWasBuiltAt()
    {
        await _scope.Store.CreateTunnelAsync("db", StoreUnderTest.NewHash(), _scope.Token);

        var snapshot = await LoadAsync();

        Assert.Equal(await _scope.Store.GetChangeCounterAsync(_scope.Token), snapshot.ChangeCounter);
    }

    [Fact]
    public async Task TryAuthenticateTunnel_AcceptsOnlyTheCurrentSecretOfALiveTunnel()
    {
        var secret = SecretHash.NewSecret();
        var tunnel = await _scope.Store.CreateTunnelAsync("db", SecretHash.Hash(secret), _scope.Token);
        var before = await LoadAsync();

        var rotated = SecretHash.NewSecret();
        await _scope.Store.RotateTunnelSecretAsync(tunnel.Id, SecretHash.Hash(rotated), _scope.Token);
        var afterRotation = await LoadAsync();

        Assert.True(before.TryAuthenticateTunnel(tunnel.Id, secret));
        Assert.False(before.TryAuthenticateTunnel(tunnel.Id, rotated));
        Assert.False(before.TryAuthenticateTunnel(Guid.NewGuid(), secret));
        Assert.False(afterRotation.TryAuthenticateTunnel(tunnel.Id, secret));
        Assert.True(afterRotation.TryAuthenticateTunnel(tunnel.Id, rotated));
    }

    [Fact]
    public async Task DeletedTunnel_NeitherAuthenticatesNorKeepsItsRoutes()
    {
        var secret = SecretHash.NewSecret();
        var tunnel = await _scope.Store.CreateTunnelAsync("db", SecretHash.Hash(secret), _scope.Token);
        await _scope.Store.AddRouteAsync("db.example.com", tunnel.Id, _scope.Token);
        await _scope.Store.DeleteTunnelAsync(tunnel.Id, _scope.Token);

        var snapshot = await LoadAsync();

        Assert.False(snapshot.TryAuthenticateTunnel(tunnel.Id, secret));
        Assert.False(snapshot.TryGetTunnelForHostname("db.example.com", out _));
    }

    [Fact]
    public async Task AuthenticateServiceToken_MatchesClientIdAndHexSecret()
    {
        var secret = SecretHash.NewSecret();
        var token = await _scope.Store.CreateServiceTokenAsync("ci-deploy", SecretHash.Hash(secret), _scope.Token);

        var match = (await LoadAsync()).AuthenticateServiceToken(token.ClientId, SecretHash.ToHexSecret(secret));

        Assert.Equal(new ServiceTokenMatch(token.Id, "ci-deploy"), match);
    }

    [Fact]
    public async Task AuthenticateServiceToken_RefusesWrongMalformedUnknownAndRevoked()
    {
        var secret = SecretHash.NewSecret();
        var hex = SecretHash.ToHexSecret(secret);
        var token = await _scope.Store.CreateServiceTokenAsync("ci", SecretHash.Hash(secret), _scope.Token);
        var live = await LoadAsync();
        await _scope.Store.RevokeServiceTokenAsync(token.Id, _scope.Token);
        var revoked = await LoadAsync();

        Assert.Null(live.AuthenticateServiceToken(token.ClientId, SecretHash.ToHexSecret(SecretHash.NewSecret())));
        Assert.Null(live.AuthenticateServiceToken(token.ClientId, hex.ToUpperInvariant()));
        Assert.Null(live.AuthenticateServiceToken(token.ClientId, hex[..^1]));
        Assert.Null(live.AuthenticateServiceToken(token.ClientId, hex + "0"));
        Assert.Null(live.AuthenticateServiceToken(token.ClientId, SecretHash.ToBase64Url(secret)));
        Assert.Null(live.AuthenticateServiceToken(token.ClientId, null));
        Assert.Null(live.AuthenticateServiceToken(null, hex));
        Assert.Null(live.AuthenticateServiceToken(token.ClientId.ToUpperInvariant(), hex));
        Assert.Null(live.AuthenticateServiceToken("0123456789abcdef0123456789abcdef.access", hex));
        Assert.Null(revoked.AuthenticateServiceToken(token.ClientId, hex));
    }

    [Fact]
    public void Empty_AuthenticatesNothing()
    {
        Assert.False(EdgeSnapshot.Empty.TryAuthenticateTunnel(Guid.Empty, []));
        Assert.Null(EdgeSnapshot.Empty.AuthenticateServiceToken("x.access", new string('0', 64)));
        Assert.False(EdgeSnapshot.Empty.TryGetTunnelForHostname("db.example.com", out _));
    }

    private Task<EdgeSnapshot> LoadAsync() => EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);
}
