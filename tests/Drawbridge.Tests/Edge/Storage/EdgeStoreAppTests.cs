using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>Apps (schema 2): hostnames with a session duration, and what deleting one takes with it. The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStoreAppTests : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private readonly PostgresServer? _server;

    private protected EdgeStoreAppTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task CreateApp_NormalisesTheHostname_AndNeedsNoRoute()
    {
        var app = await Store.CreateAppAsync("DB.Example.COM", Day, Token);

        Assert.Equal(new App("db.example.com", Day, _scope.Time.GetUtcNow()), app);
        Assert.Equal(app, await Store.GetAppAsync("db.EXAMPLE.com", Token));
        Assert.Null(await Store.GetAppAsync("other.example.com", Token));
        Assert.Empty(await Store.ListRoutesAsync(tunnelId: null, Token));
    }

    [Fact]
    public async Task CreateApp_ThatExists_IsAConflict()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateAppAsync("DB.example.com", TimeSpan.FromHours(1), Token));

        Assert.Equal("An app for db.example.com already exists: update it, or delete it first.", ex.Message);
        Assert.Equal(Day, (await Store.GetAppAsync("db.example.com", Token))!.SessionDuration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Robert'); DROP TABLE apps;--")]
    [InlineData("db.example.com\n")]
    [InlineData("10.0.0.1")]
    public async Task CreateApp_RefusesAHostnameThatIsNotADnsName(string hostname)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateAppAsync(hostname, Day, Token));

        Assert.StartsWith("hostname: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Empty(await Store.ListAppsAsync(Token));
    }

    [Fact]
    public async Task CreateApp_RefusesAnOverlongHostname()
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateAppAsync(string.Join('.', Enumerable.Repeat(new string('a', 63), 5)), Day, Token));

        Assert.StartsWith("hostname: is 319 characters long", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<TimeSpan> BadSessionDurations => new()
    {
        TimeSpan.Zero,
        TimeSpan.FromSeconds(59),
        TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1),
        TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1),
        TimeSpan.FromHours(-24),
        TimeSpan.MaxValue,
        TimeSpan.MinValue,
    };

    [Theory]
    [MemberData(nameof(BadSessionDurations))]
    public async Task CreateAndUpdateApp_RefuseASessionDurationOutside1MinuteTo30Days(TimeSpan duration)
    {
        var create = await Assert.ThrowsAsync<StoreValidationException>(() => Store.CreateAppAsync("db.example.com", duration, Token));
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var update = await Assert.ThrowsAsync<StoreValidationException>(() => Store.UpdateAppAsync("db.example.com", duration, Token));

        Assert.StartsWith("sessionDuration: ", create.Message, StringComparison.Ordinal);
        Assert.StartsWith("sessionDuration: ", update.Message, StringComparison.Ordinal);
        Assert.Equal(Day, (await Store.GetAppAsync("db.example.com", Token))!.SessionDuration);
    }

    [Fact]
    public async Task CreateApp_AcceptsTheBounds_AndCutsToWholeMilliseconds()
    {
        var shortest = await Store.CreateAppAsync("a.example.com", TimeSpan.FromMinutes(1), Token);
        var longest = await Store.CreateAppAsync("b.example.com", TimeSpan.FromDays(30), Token);
        var odd = await Store.CreateAppAsync("c.example.com", TimeSpan.FromHours(1) + TimeSpan.FromTicks(9_999), Token);

        Assert.Equal(TimeSpan.FromMinutes(1), shortest.SessionDuration);
        Assert.Equal(TimeSpan.FromDays(30), longest.SessionDuration);
        Assert.Equal(TimeSpan.FromHours(1), odd.SessionDuration);
        Assert.Equal([shortest, longest, odd], await Store.ListAppsAsync(Token));
    }

    [Fact]
    public async Task ListApps_IsSortedByHostname()
    {
        await Store.CreateAppAsync("z.example.com", Day, Token);
        await Store.CreateAppAsync("a.example.com", Day, Token);
        await Store.CreateAppAsync("m.example.com", Day, Token);

        Assert.Equal(["a.example.com", "m.example.com", "z.example.com"], (await Store.ListAppsAsync(Token)).Select(a => a.Hostname));
    }

    [Fact]
    public async Task UpdateApp_ChangesTheSessionDuration_AndNothingElse()
    {
        var app = await Store.CreateAppAsync("db.example.com", Day, Token);
        _scope.Time.Advance(TimeSpan.FromHours(1));

        var updated = await Store.UpdateAppAsync("DB.example.com", TimeSpan.FromHours(8), Token);

        Assert.Equal(app with { SessionDuration = TimeSpan.FromHours(8) }, updated);
        Assert.Equal(updated, await Store.GetAppAsync("db.example.com", Token));
    }

    [Fact]
    public async Task UpdateApp_OfAnUnknownApp_IsNotFound()
    {
        var ex = await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.UpdateAppAsync("nope.example.com", Day, Token));

        Assert.Equal("No app for nope.example.com: create it first.", ex.Message);
    }

    [Fact]
    public async Task DeleteApp_DeletesItsPoliciesOnly_AndHappensOnce()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        await Store.CreateAppAsync("kept.example.com", Day, Token);
        await AddPolicyAsync("db.example.com", "a", precedence: 1);
        await AddPolicyAsync("db.example.com", "b", precedence: 2);
        var kept = await AddPolicyAsync("kept.example.com", "c", precedence: 1);

        Assert.True(await Store.DeleteAppAsync("DB.example.com", Token));
        Assert.False(await Store.DeleteAppAsync("db.example.com", Token));
        Assert.False(await Store.DeleteAppAsync("never.example.com", Token));

        Assert.Null(await Store.GetAppAsync("db.example.com", Token));
        Assert.Empty(await Store.ListPoliciesAsync("db.example.com", Token));
        Assert.Equal([kept], await Store.ListPoliciesAsync(null, Token));
    }

    [Fact]
    public async Task DeleteApp_ThenCreateAgain_StartsWithoutPolicies()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        await AddPolicyAsync("db.example.com", "a", precedence: 1);
        await Store.DeleteAppAsync("db.example.com", Token);

        await Store.CreateAppAsync("db.example.com", Day, Token);

        Assert.Empty(await Store.ListPoliciesAsync("db.example.com", Token));
        await AddPolicyAsync("db.example.com", "a", precedence: 1);
    }

    private Task<StoredPolicy> AddPolicyAsync(string app, string name, int precedence) =>
        Store.AddPolicyAsync(app, name, "allow", precedence, ["email_domain:example.com"], [], [], Token);
}
