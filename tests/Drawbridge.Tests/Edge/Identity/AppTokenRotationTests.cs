using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Storage;
using Drawbridge.Edge.Tokens;
using Drawbridge.Tests.Edge.Storage;

namespace Drawbridge.Tests.Edge.Identity;

/// <summary>
/// Signing keys rotate on the edge's clock without invalidating tokens still valid, and two edges
/// sharing one store agree on the current key (issue 3 item 2).
/// </summary>
public sealed class AppTokenRotationTests : IAsyncLifetime
{
    private const string App = "db.example.com";
    private static readonly TimeSpan Interval = TimeSpan.FromDays(7);
    private StoreUnderTest _scope = null!;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync();

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task BeforeTheInterval_NothingRotates()
    {
        AppTokens tokens = await LoadAsync();
        string kid = tokens.Ring.Current.KeyId;

        _scope.Time.Advance(Interval - TimeSpan.FromSeconds(1));

        Assert.False(await tokens.RefreshAsync(_scope.Store, Interval, _scope.Token));
        Assert.Equal(kid, tokens.Ring.Current.KeyId);
        Assert.Single(await _scope.Store.ListSigningKeysAsync(_scope.Token));
    }

    [Fact]
    public async Task AtTheInterval_ANewKeySigns_AndTokensOfTheOldOneStillValidate()
    {
        AppTokens tokens = await LoadAsync();
        UserSession session = await SessionAsync(TimeSpan.FromDays(30));
        string before = tokens.Issue(session, App, TimeSpan.FromDays(30)).Token;
        string oldKid = tokens.Ring.Current.KeyId;

        _scope.Time.Advance(Interval);
        Assert.True(await tokens.RefreshAsync(_scope.Store, Interval, _scope.Token));
        string after = tokens.Issue(session, App, TimeSpan.FromHours(1)).Token;

        Assert.NotEqual(oldKid, tokens.Ring.Current.KeyId);
        Assert.Equal(oldKid, tokens.Validate(before, App).KeyId);
        Assert.Equal(tokens.Ring.Current.KeyId, tokens.Validate(after, App).KeyId);
        string jwks = System.Text.Encoding.UTF8.GetString(tokens.Jwks());
        Assert.Contains(oldKid, jwks, StringComparison.Ordinal);
        Assert.Contains(tokens.Ring.Current.KeyId, jwks, StringComparison.Ordinal);

        IReadOnlyList<StoredSigningKey> stored = await _scope.Store.ListSigningKeysAsync(_scope.Token);
        Assert.Equal(2, stored.Count);
        Assert.Equal(_scope.Time.GetUtcNow(), stored.Single(k => k.KeyId == oldKid).RetiredAt);
    }

    [Fact]
    public async Task ARetiredKey_IsDeletedOnceNoTokenItSignedCanBeValid()
    {
        AppTokens tokens = await LoadAsync();
        string oldKid = tokens.Ring.Current.KeyId;
        _scope.Time.Advance(Interval);
        await tokens.RefreshAsync(_scope.Store, Interval, _scope.Token);

        _scope.Time.Advance(tokens.Ring.Retention + TimeSpan.FromSeconds(1));
        await tokens.RefreshAsync(_scope.Store, TimeSpan.FromDays(365), _scope.Token);

        Assert.Empty(tokens.Ring.Retired);
        Assert.DoesNotContain(await _scope.Store.ListSigningKeysAsync(_scope.Token), k => k.KeyId == oldKid);
    }

    [Fact]
    public async Task ASecondEdgeOnTheSameStore_TakesUpTheKeyTheFirstRotatedTo()
    {
        AppTokens first = await LoadAsync();
        AppTokens second = await LoadAsync();
        Assert.Equal(first.Ring.Current.KeyId, second.Ring.Current.KeyId);

        _scope.Time.Advance(Interval);
        Assert.True(await first.RefreshAsync(_scope.Store, Interval, _scope.Token));
        // The second edge looks a moment later: the key is no longer due, it takes up the new one.
        Assert.True(await second.RefreshAsync(_scope.Store, Interval, _scope.Token));

        Assert.Equal(first.Ring.Current.KeyId, second.Ring.Current.KeyId);
        UserSession session = await SessionAsync(TimeSpan.FromDays(1));
        string token = first.Issue(session, App, TimeSpan.FromHours(1)).Token;
        Assert.True(second.Validate(token, App).Claims is not null);
        Assert.Equal(2, (await _scope.Store.ListSigningKeysAsync(_scope.Token)).Count);
    }

    [Fact]
    public async Task TwoEdgesRotatingAtOnce_StillAgreeOnOneCurrentKey()
    {
        AppTokens first = await LoadAsync();
        AppTokens second = await LoadAsync();
        _scope.Time.Advance(Interval);

        await Task.WhenAll(first.RefreshAsync(_scope.Store, Interval, _scope.Token), second.RefreshAsync(_scope.Store, Interval, _scope.Token));
        await first.RefreshAsync(_scope.Store, Interval, _scope.Token);
        await second.RefreshAsync(_scope.Store, Interval, _scope.Token);

        Assert.Equal(first.Ring.Current.KeyId, second.Ring.Current.KeyId);
    }

    private Task<AppTokens> LoadAsync() => AppTokens.LoadAsync(_scope.Store, () => "https://edge.example.com", _scope.Time, _scope.Token);

    private Task<UserSession> SessionAsync(TimeSpan lifetime) => _scope.Store.CreateSessionAsync(StoreUnderTest.NewHash(), "ada@example.com", "Ada",
        ["admins"], "pin", "127.0.0.1", _scope.Time.GetUtcNow() + lifetime, _scope.Token);
}
