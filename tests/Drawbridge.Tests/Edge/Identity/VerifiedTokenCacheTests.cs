using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Storage;
using Drawbridge.Edge.Tokens;
using Drawbridge.Tests.Edge.Storage;

namespace Drawbridge.Tests.Edge.Identity;

/// <summary>
/// A token verified once is not verified again on the next connection, and the shortcut never
/// admits what the full check would refuse: another app, an expired token, a key gone from the
/// ring, a changed token.
/// </summary>
public sealed class VerifiedTokenCacheTests : IAsyncLifetime
{
    private const string App = "db.example.com";
    private StoreUnderTest _scope = null!;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync();

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task TheSecondCheckOfAToken_ReturnsTheClaimsOfTheFirst()
    {
        AppTokens tokens = await LoadAsync();
        string token = await IssueAsync(tokens, TimeSpan.FromHours(1));

        AppTokenCheck first = tokens.Validate(token, App);
        AppTokenCheck second = tokens.Validate(token, App);

        Assert.NotNull(first.Claims);
        Assert.Same(first.Claims, second.Claims);
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(tokens.Ring.Current.KeyId, second.KeyId);
    }

    [Fact]
    public async Task AVerifiedToken_PresentedForAnotherApp_IsRefusedAsTheFullCheckWould()
    {
        AppTokens tokens = await LoadAsync();
        string token = await IssueAsync(tokens, TimeSpan.FromHours(1));
        Assert.NotNull(tokens.Validate(token, App).Claims);

        AppTokenCheck other = tokens.Validate(token, "redis.example.com");

        Assert.Null(other.Claims);
        Assert.Equal(TokenFailure.WrongAudience, other.Failure);
        Assert.NotNull(tokens.Validate(token, App).Claims);
    }

    [Fact]
    public async Task AVerifiedToken_PastItsExpiry_IsRefusedAsExpired()
    {
        AppTokens tokens = await LoadAsync();
        string token = await IssueAsync(tokens, TimeSpan.FromMinutes(10));
        Assert.NotNull(tokens.Validate(token, App).Claims);

        // Within the clock skew the full check still accepts it, so the shortcut does too.
        _scope.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(30));
        Assert.NotNull(tokens.Validate(token, App).Claims);

        _scope.Time.Advance(TimeSpan.FromSeconds(30));
        AppTokenCheck late = tokens.Validate(token, App);
        Assert.Null(late.Claims);
        Assert.Equal(TokenFailure.Expired, late.Failure);
    }

    [Fact]
    public async Task AVerifiedToken_WhoseKeyLeftTheRing_IsRefused()
    {
        AppTokens tokens = await LoadAsync();
        string token = await IssueAsync(tokens, TimeSpan.FromDays(30));
        Assert.NotNull(tokens.Validate(token, App).Claims);
        string oldKid = tokens.Ring.Current.KeyId;

        // Rotate, then let the retired key's retention pass: the ring forgets it.
        _scope.Time.Advance(TimeSpan.FromDays(7));
        await tokens.RefreshAsync(_scope.Store, TimeSpan.FromDays(7), _scope.Token);
        _scope.Time.Advance(tokens.Ring.Retention + TimeSpan.FromSeconds(1));
        await tokens.RefreshAsync(_scope.Store, TimeSpan.FromDays(365), _scope.Token);
        Assert.False(tokens.Ring.PublicKeys.TryFind(oldKid, out _));

        AppTokenCheck check = tokens.Validate(token, App);
        Assert.Null(check.Claims);
        Assert.NotEqual(TokenFailure.None, check.Failure);
    }

    [Fact]
    public async Task AChangedToken_IsNotAHit_AndFailsItsSignature()
    {
        AppTokens tokens = await LoadAsync();
        string token = await IssueAsync(tokens, TimeSpan.FromHours(1));
        Assert.NotNull(tokens.Validate(token, App).Claims);

        char last = token[^2];
        string changed = token[..^2] + (last == 'A' ? 'B' : 'A') + token[^1];

        AppTokenCheck check = tokens.Validate(changed, App);
        Assert.Null(check.Claims);
        Assert.Equal(TokenFailure.BadSignature, check.Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    [InlineData("名前.🙂.\u0000")]
    public async Task HostileOrMalformedTokens_AreRefusedEveryTime_AndNeverRemembered(string token)
    {
        AppTokens tokens = await LoadAsync();

        AppTokenCheck first = tokens.Validate(token, App);
        AppTokenCheck second = tokens.Validate(token, App);

        Assert.Null(first.Claims);
        Assert.Null(second.Claims);
        Assert.NotEqual(TokenFailure.None, second.Failure);
        Assert.Equal(first.Failure, second.Failure);
        Assert.Equal(0, tokens.VerifiedTokenCount);
    }

    [Fact]
    public async Task AnOversizedToken_IsRefusedWithoutBeingRemembered()
    {
        AppTokens tokens = await LoadAsync();
        string huge = "eyJ" + new string('A', 1_000_000) + ".e30.sig";

        AppTokenCheck check = tokens.Validate(huge, App);

        Assert.Equal(TokenFailure.TooLong, check.Failure);
        Assert.Equal(0, tokens.VerifiedTokenCount);
    }

    [Fact]
    public async Task OnlyAVerifiedToken_IsRemembered_Once()
    {
        AppTokens tokens = await LoadAsync();
        string token = await IssueAsync(tokens, TimeSpan.FromHours(1));

        tokens.Validate(token, App);
        tokens.Validate(token, App);
        tokens.Validate(token, "redis.example.com"); // refused: not remembered again, nor forgotten

        Assert.Equal(1, tokens.VerifiedTokenCount);
    }

    [Fact]
    public void TheCache_StaysWithinItsCapacity_DroppingExpiredEntriesFirst()
    {
        var cache = new VerifiedTokenCache(capacity: 3);
        DateTimeOffset now = DateTimeOffset.UnixEpoch.AddYears(56);
        VerifiedTokenCache.TokenDigest expired = Digest("expired");
        cache.Add(expired, Claims(now - TimeSpan.FromSeconds(1)), "k", now);
        cache.Add(Digest("a"), Claims(now + TimeSpan.FromHours(1)), "k", now);
        cache.Add(Digest("b"), Claims(now + TimeSpan.FromHours(1)), "k", now);

        cache.Add(Digest("c"), Claims(now + TimeSpan.FromHours(1)), "k", now);

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet(expired, out _, out _));
        Assert.True(cache.TryGet(Digest("c"), out _, out _));

        // Full of live entries: it starts over rather than grow.
        cache.Add(Digest("d"), Claims(now + TimeSpan.FromHours(1)), "k", now);
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(Digest("d"), out _, out _));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(4096, true)]
    [InlineData(4097, false)]
    [InlineData(20_000, false)]
    public void OnlyTokensOfAPlausibleSize_AreCached(int length, bool cacheable) =>
        Assert.Equal(cacheable, VerifiedTokenCache.TryDigest(new string('x', length), out _));

    [Fact]
    public void DistinctTokens_HaveDistinctDigests_AndOneTokenAlwaysTheSame()
    {
        Assert.Equal(Digest("eyJ.a.b"), Digest("eyJ.a.b"));
        Assert.NotEqual(Digest("eyJ.a.b"), Digest("eyJ.a.c"));
        Assert.NotEqual(Digest(new string('x', 2000)), Digest(new string('x', 2001)));
    }

    private static VerifiedTokenCache.TokenDigest Digest(string token)
    {
        Assert.True(VerifiedTokenCache.TryDigest(token, out VerifiedTokenCache.TokenDigest digest));
        return digest;
    }

    private static AppTokenClaims Claims(DateTimeOffset expires) =>
        new("https://edge.example.com", App, "ada", "ada@example.com", [], "pin", Guid.NewGuid().ToString("N"),
            expires - TimeSpan.FromHours(2), expires - TimeSpan.FromHours(2), expires);

    private Task<AppTokens> LoadAsync() => AppTokens.LoadAsync(_scope.Store, () => "https://edge.example.com", _scope.Time, _scope.Token);

    private async Task<string> IssueAsync(AppTokens tokens, TimeSpan lifetime)
    {
        UserSession session = await _scope.Store.CreateSessionAsync(StoreUnderTest.NewHash(), "ada@example.com", "Ada",
            ["admins"], "pin", "127.0.0.1", _scope.Time.GetUtcNow() + TimeSpan.FromDays(30), _scope.Token);
        return tokens.Issue(session, App, lifetime).Token;
    }
}
