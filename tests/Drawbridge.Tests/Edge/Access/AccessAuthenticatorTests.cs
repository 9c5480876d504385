using Drawbridge.Edge.Access;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;
using Drawbridge.Tests.Edge.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Drawbridge.Tests.Edge.Access;

/// <summary>Headers of SPEC.md §1 against a snapshot of a real SQLite store.</summary>
public sealed class AccessAuthenticatorTests : IAsyncLifetime
{
    private const string UnknownOrWrong = "the service token is unknown, revoked, or its secret is wrong";
    private const string NoCredential = "no credential: run `drawbridge access login HOSTNAME` to sign in, or pass a service token (--service-token-id and --service-token-secret)";
    private const string AppTokens = "this edge does not accept app tokens: use a service token";

    private StoreUnderTest _scope = null!;
    private ServiceToken _ci = null!;
    private string _ciSecret = null!;
    private ServiceToken _deploy = null!;
    private string _deploySecret = null!;
    private EdgeSnapshot _snapshot = null!;

    public async Task InitializeAsync()
    {
        _scope = await StoreUnderTest.OpenAsync();
        (_ci, _ciSecret) = await CreateTokenAsync("ci");
        (_deploy, _deploySecret) = await CreateTokenAsync("deploy");
        _snapshot = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);
    }

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    private async Task<(ServiceToken Token, string Secret)> CreateTokenAsync(string name)
    {
        byte[] secret = SecretHash.NewSecret();
        ServiceToken token = await _scope.Store.CreateServiceTokenAsync(name, SecretHash.Hash(secret), _scope.Token);
        return (token, SecretHash.ToHexSecret(secret));
    }

    private static IHeaderDictionary Headers(params (string Name, StringValues Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request.Headers;
    }

    private AccessCaller? Authenticate(IHeaderDictionary headers, out string failure)
    {
        AccessCaller? caller = AccessAuthenticator.Authenticate(headers, System.Net.IPAddress.Loopback, _snapshot, out AccessRefusal refusal);
        failure = refusal.Message ?? "";
        return caller;
    }

    private void AssertRefused(IHeaderDictionary headers, string expectedFailure)
    {
        Assert.Null(Authenticate(headers, out string failure));
        Assert.Equal(expectedFailure, failure);
    }

    [Fact]
    public void DrawbridgeHeaders_AuthenticateTheServiceToken()
    {
        AccessCaller? caller = Authenticate(Headers(
            (WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _ciSecret)), out string failure);

        Assert.Equal("service-token:ci", caller!.Identity);
        Assert.Equal(_ci.Id, caller.ServiceTokenId);
        Assert.True(caller.Subject.IsServiceToken);
        Assert.Equal("", failure);
    }

    [Fact]
    public void CloudflareHeaders_AuthenticateTheServiceToken_SoCloudflaredClientsWork()
    {
        AccessCaller? caller = Authenticate(Headers(
            ("Cf-Access-Client-Id", _ci.ClientId), ("Cf-Access-Client-Secret", _ciSecret)), out string failure);

        Assert.Equal("service-token:ci", caller!.Identity);
        Assert.Equal(_ci.Id, caller.ServiceTokenId);
        Assert.True(caller.Subject.IsServiceToken);
        Assert.Equal("", failure);
    }

    [Fact]
    public void HeaderNames_AreCaseInsensitive()
    {
        AccessCaller? caller = Authenticate(Headers(
            ("drawbridge-service-token-id", _ci.ClientId), ("DRAWBRIDGE-SERVICE-TOKEN-SECRET", _ciSecret)), out _);

        Assert.Equal(_ci.Id, caller!.ServiceTokenId);
    }

    [Fact]
    public void BothPairsPresent_TheDrawbridgePairWins()
    {
        AccessCaller? caller = Authenticate(Headers(
            (WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _ciSecret),
            (WireNames.CloudflareClientIdHeader, _deploy.ClientId), (WireNames.CloudflareClientSecretHeader, _deploySecret)), out _);

        Assert.Equal("service-token:ci", caller!.Identity);
        Assert.Equal(_ci.Id, caller.ServiceTokenId);
        Assert.True(caller.Subject.IsServiceToken);
    }

    [Fact]
    public void BothPairsPresent_AWrongDrawbridgePairIsNotRescuedByTheCloudflarePair() =>
        AssertRefused(Headers(
            (WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _deploySecret),
            (WireNames.CloudflareClientIdHeader, _deploy.ClientId), (WireNames.CloudflareClientSecretHeader, _deploySecret)), UnknownOrWrong);

    [Fact]
    public void EmptyDrawbridgeHeaders_FallBackToTheCloudflarePair()
    {
        AccessCaller? caller = Authenticate(Headers(
            (WireNames.ServiceTokenIdHeader, ""), (WireNames.ServiceTokenSecretHeader, ""),
            (WireNames.CloudflareClientIdHeader, _deploy.ClientId), (WireNames.CloudflareClientSecretHeader, _deploySecret)), out _);

        Assert.Equal(_deploy.Id, caller!.ServiceTokenId);
    }

    [Fact]
    public void IdWithoutSecret_IsRefused() =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, _ci.ClientId)), UnknownOrWrong);

    [Fact]
    public void SecretWithoutId_IsRefused() =>
        AssertRefused(Headers((WireNames.CloudflareClientSecretHeader, _ciSecret)), UnknownOrWrong);

    [Fact]
    public void AnotherTokensSecret_IsRefused() =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _deploySecret)), UnknownOrWrong);

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(10 * 1024)]
    public void SecretOfTheWrongLength_IsRefused(int length) =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, new string('a', length))), UnknownOrWrong);

    [Fact]
    public void SecretThatIsNotLowercaseHex_IsRefused()
    {
        foreach (string secret in new[] { _ciSecret.ToUpperInvariant(), "g" + _ciSecret[1..], " " + _ciSecret[1..], _ciSecret[..32] + "\u00e9" + _ciSecret[33..] })
        {
            AssertRefused(Headers((WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, secret)), UnknownOrWrong);
        }
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef.access")]
    [InlineData("' OR 1=1 --")]
    [InlineData("")]
    public void UnknownId_IsRefused(string id) =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, id), (WireNames.ServiceTokenSecretHeader, _ciSecret)), UnknownOrWrong);

    [Fact]
    public void TenKilobyteId_IsRefused() =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, new string('x', 10 * 1024)), (WireNames.ServiceTokenSecretHeader, _ciSecret)), UnknownOrWrong);

    [Fact]
    public void RepeatedIdHeader_IsRefused() =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, new StringValues([_ci.ClientId, _deploy.ClientId])), (WireNames.ServiceTokenSecretHeader, _ciSecret)), UnknownOrWrong);

    [Fact]
    public async Task RevokedToken_IsRefused_OnceTheSnapshotIsRebuilt()
    {
        await _scope.Store.RevokeServiceTokenAsync(_ci.Id, _scope.Token);
        _snapshot = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);

        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _ciSecret)), UnknownOrWrong);
        Assert.NotNull(Authenticate(Headers((WireNames.ServiceTokenIdHeader, _deploy.ClientId), (WireNames.ServiceTokenSecretHeader, _deploySecret)), out _));
    }

    [Theory]
    [InlineData("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig")]
    [InlineData("Cf-Access-Token", "eyJhbGciOiJSUzI1NiJ9.e30.sig")]
    public void AppTokenWhereNoTokenServiceIsGiven_IsRefusedByName(string name, string value) =>
        AssertRefused(Headers((name, value)), AppTokens);

    [Fact]
    public void BasicAuthorization_CountsAsNoCredential() =>
        AssertRefused(Headers(("authorization", "Basic YWxpY2U6cGFzcw==")), NoCredential);

    [Fact]
    public void AppTokenNextToAValidServiceToken_TheServiceTokenIsUsed()
    {
        AccessCaller? caller = Authenticate(Headers(
            ("Authorization", "Bearer x"), (WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _ciSecret)), out _);

        Assert.Equal(_ci.Id, caller!.ServiceTokenId);
    }

    [Fact]
    public void NoHeaders_SaysHowToPassAServiceToken() =>
        AssertRefused(Headers(), NoCredential);

    [Fact]
    public void EmptyHeaders_CountAsNone() =>
        AssertRefused(Headers((WireNames.ServiceTokenIdHeader, ""), (WireNames.CloudflareClientSecretHeader, ""), ("Authorization", "")), NoCredential);

    [Fact]
    public void EmptySnapshot_AuthenticatesNobody() =>
        Assert.Null(AccessAuthenticator.Authenticate(
            Headers((WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _ciSecret)), System.Net.IPAddress.Loopback, EdgeSnapshot.Empty, out _));

    [Fact]
    public void ForgetCredentials_RemovesEveryCredentialHeader_AndKeepsTheRest()
    {
        IHeaderDictionary headers = Headers(
            ("Authorization", "Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln"),
            (WireNames.CloudflareTokenHeader, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"),
            (WireNames.ServiceTokenIdHeader, _ci.ClientId), (WireNames.ServiceTokenSecretHeader, _ciSecret),
            (WireNames.CloudflareClientIdHeader, _ci.ClientId), (WireNames.CloudflareClientSecretHeader, _ciSecret),
            ("Sec-WebSocket-Version", "13"));

        AccessAuthenticator.ForgetCredentials(headers);

        Assert.Equal(["Sec-WebSocket-Version"], headers.Keys);
    }
}
