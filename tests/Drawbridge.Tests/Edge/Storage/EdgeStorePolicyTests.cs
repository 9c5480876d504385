using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>Policies of apps (schema 2): precedence, actions, opaque selectors. The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStorePolicyTests : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private readonly PostgresServer? _server;

    private protected EdgeStorePolicyTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task AddPolicy_StoresEveryFieldAsGiven()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var policy = await Store.AddPolicyAsync(
            "DB.example.com",
            "engineers",
            "allow",
            10,
            ["email_domain:example.com", "group:eng"],
            ["login_method:otp"],
            ["email:mallory@example.com"],
            Token);

        Assert.Equal("db.example.com", policy.AppHostname);
        Assert.Equal("engineers", policy.Name);
        Assert.Equal("allow", policy.Action);
        Assert.Equal(10, policy.Precedence);
        Assert.Equal(["email_domain:example.com", "group:eng"], policy.Include);
        Assert.Equal(["login_method:otp"], policy.Require);
        Assert.Equal(["email:mallory@example.com"], policy.Exclude);
        Assert.Equal(_scope.Time.GetUtcNow(), policy.CreatedAt);
        await _scope.ReopenAsync();
        Assert.Equal([policy], await _scope.Store.ListPoliciesAsync("db.example.com", Token));
    }

    [Theory]
    [InlineData("allow")]
    [InlineData("deny")]
    [InlineData("bypass")]
    [InlineData("service_auth")]
    public async Task AddPolicy_AcceptsEachAction(string action)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var policy = await Store.AddPolicyAsync("db.example.com", "p", action, 1, ["everyone"], [], [], Token);

        Assert.Equal(action, (await Store.ListPoliciesAsync(null, Token)).Single().Action);
        Assert.Equal(action, policy.Action);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Allow")]
    [InlineData("permit")]
    [InlineData("service-auth")]
    [InlineData("allow'; DROP TABLE policies;--")]
    [InlineData("allow\n")]
    public async Task AddPolicy_RefusesAnUnknownAction(string action)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.AddPolicyAsync("db.example.com", "p", action, 1, ["everyone"], [], [], Token));

        Assert.StartsWith("action: ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("is not one of allow, deny, bypass, service_auth", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Empty(await Store.ListPoliciesAsync(null, Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public async Task AddPolicy_RefusesAPrecedenceOutside1To10000(int precedence)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.AddPolicyAsync("db.example.com", "p", "allow", precedence, ["everyone"], [], [], Token));

        Assert.Equal($"precedence: is {precedence}: expected 1–10000 (lower is evaluated first)", ex.Message);
    }

    [Fact]
    public async Task AddPolicy_AcceptsPrecedence1And10000()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        await AddPolicyAsync("db.example.com", "last", precedence: 10_000);
        await AddPolicyAsync("db.example.com", "first", precedence: 1);

        Assert.Equal(["first", "last"], (await Store.ListPoliciesAsync("db.example.com", Token)).Select(p => p.Name));
    }

    [Theory]
    [InlineData("", "name: is empty")]
    [InlineData("tab\there", "name: contains control characters")]
    [InlineData("bell\u0007", "name: contains control characters")]
    [InlineData("c1\u009b31m", "name: contains control characters")]
    [InlineData(" padded ", "name: starts or ends with spaces")]
    public async Task AddPolicy_RefusesABadName(string name, string expected)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.AddPolicyAsync("db.example.com", name, "allow", 1, ["everyone"], [], [], Token));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPolicy_RefusesANameOver100Characters()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.AddPolicyAsync("db.example.com", new string('n', 101), "allow", 1, ["everyone"], [], [], Token));

        Assert.Equal("name: is 101 characters long: at most 100", ex.Message);
    }

    [Fact]
    public async Task AddPolicy_ToAnUnknownApp_IsNotFound()
    {
        var ex = await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.AddPolicyAsync("db.example.com", "p", "allow", 1, ["everyone"], [], [], Token));

        Assert.Equal("No app for db.example.com: create the app before adding policies to it.", ex.Message);
    }

    [Fact]
    public async Task AddPolicy_WithATakenPrecedence_IsAConflictNamingTheHolder()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        await Store.CreateAppAsync("other.example.com", Day, Token);
        var holder = await AddPolicyAsync("db.example.com", "engineers", precedence: 5);
        await AddPolicyAsync("other.example.com", "engineers", precedence: 5);

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => AddPolicyAsync("db.example.com", "contractors", precedence: 5));

        Assert.Contains("precedence 5 is taken by policy 'engineers'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(holder.Id.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal([holder], await Store.ListPoliciesAsync("db.example.com", Token));
    }

    [Fact]
    public async Task AddPolicy_ConcurrentlyAtOnePrecedence_LetsExactlyOneIn()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var attempts = Enumerable.Range(0, 12)
            .Select(i => Task.Run(async () =>
            {
                try
                {
                    await AddPolicyAsync("db.example.com", $"p{i}", precedence: 7);
                    return true;
                }
                catch (StoreConflictException)
                {
                    return false;
                }
            }))
            .ToList();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(won => won));
        Assert.Single(await Store.ListPoliciesAsync("db.example.com", Token));
    }

    [Theory]
    [InlineData("include")]
    [InlineData("require")]
    [InlineData("exclude")]
    public async Task AddPolicy_RefusesMoreThan100SelectorsInAnyList(string field)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var many = Enumerable.Range(0, 101).Select(i => $"email:u{i}@example.com").ToArray();

        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => AddWithListAsync(field, many));

        Assert.Equal($"{field}: has 101 selectors: at most 100", ex.Message);
    }

    [Fact]
    public async Task AddPolicy_Accepts100SelectorsOf1024Characters()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var full = Enumerable.Range(0, 100).Select(i => $"{i:D4}" + new string('x', 1020)).ToArray();

        var policy = await Store.AddPolicyAsync("db.example.com", "big", "allow", 1, full, full, full, Token);

        Assert.Equal(full, (await Store.ListPoliciesAsync(null, Token)).Single().Include);
        Assert.Equal(policy, (await Store.ListPoliciesAsync(null, Token)).Single());
    }

    public static TheoryData<string, string, string> BadSelectors => new()
    {
        { "include", "", "include[1]: is empty" },
        { "require", new string('s', 1025), "require[1]: is 1025 characters long: at most 1024" },
        { "exclude", "email:a@example.com\nemail:b@example.com", "exclude[1]: contains control characters" },
        { "include", "group:\u001b]0;pwned\u0007", "include[1]: contains control characters" },
        { "include", "group:\0", "include[1]: contains control characters" },
        { "require", "half \ud800 pair", "require[1]: is not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(BadSelectors), DisableDiscoveryEnumeration = true)]
    public async Task AddPolicy_RefusesABadSelector_NamingTheListAndIndex(string field, string selector, string expected)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => AddWithListAsync(field, ["everyone", selector]));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListPoliciesAsync(null, Token));
    }

    [Theory]
    [InlineData("include")]
    [InlineData("require")]
    [InlineData("exclude")]
    public async Task AddPolicy_RefusesAMissingList(string field)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => AddWithListAsync(field, null!));

        Assert.Equal($"{field}: is missing: pass an empty list for none", ex.Message);
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE policies;--")]
    [InlineData("\"] , \"injected\"")]
    [InlineData("back\\slash \\u0000 \\\" quote")]
    [InlineData("' OR '1'='1")]
    [InlineData("名前 🙂 ünïcödé <script>")]
    public async Task AddPolicy_StoresHostileNamesAndSelectorsVerbatim(string text)
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        string[] selectors = [text, "email:" + text, "[" + text + "]"];

        var policy = await Store.AddPolicyAsync("db.example.com", text.Trim(), "deny", 3, selectors, [text], [], Token);
        await _scope.ReopenAsync();

        var read = Assert.Single(await _scope.Store.ListPoliciesAsync(null, Token));
        Assert.Equal(policy, read);
        Assert.Equal(selectors, read.Include);
        Assert.Equal([text], read.Require);
        Assert.Empty(read.Exclude);
        Assert.NotNull(await _scope.Store.GetAppAsync("db.example.com", Token));
    }

    [Fact]
    public async Task ListPolicies_IsOrderedByAppThenPrecedence_AndFiltersByApp()
    {
        await Store.CreateAppAsync("b.example.com", Day, Token);
        await Store.CreateAppAsync("a.example.com", Day, Token);
        await AddPolicyAsync("b.example.com", "b-20", 20);
        await AddPolicyAsync("a.example.com", "a-300", 300);
        await AddPolicyAsync("b.example.com", "b-3", 3);
        await AddPolicyAsync("a.example.com", "a-1", 1);

        Assert.Equal(["a-1", "a-300", "b-3", "b-20"], (await Store.ListPoliciesAsync(null, Token)).Select(p => p.Name));
        Assert.Equal(["b-3", "b-20"], (await Store.ListPoliciesAsync("B.example.com", Token)).Select(p => p.Name));
        Assert.Empty(await Store.ListPoliciesAsync("unknown.example.com", Token));
        await Assert.ThrowsAsync<StoreValidationException>(() => Store.ListPoliciesAsync("' OR 1=1 --", Token));
    }

    [Fact]
    public async Task DeletePolicy_DeletesOnce()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var gone = await AddPolicyAsync("db.example.com", "gone", 1);
        var kept = await AddPolicyAsync("db.example.com", "kept", 2);

        Assert.True(await Store.DeletePolicyAsync(gone.Id, Token));
        Assert.False(await Store.DeletePolicyAsync(gone.Id, Token));
        Assert.False(await Store.DeletePolicyAsync(Guid.NewGuid(), Token));

        Assert.Equal([kept], await Store.ListPoliciesAsync(null, Token));
        await AddPolicyAsync("db.example.com", "reuses-1", 1);
    }

    [Fact]
    public async Task UpdatePolicy_ReplacesTheRules_KeepingIdAppAndCreation()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var policy = await AddPolicyAsync("db.example.com", "engineers", 5);
        _scope.Time.Advance(TimeSpan.FromHours(1));

        var updated = await Store.UpdatePolicyAsync(policy.Id, "contractors", "deny", 6, ["group:contractors"], [], ["email:boss@example.com"], Token);

        var expected = policy with
        {
            Name = "contractors",
            Action = "deny",
            Precedence = 6,
            Include = ["group:contractors"],
            Require = [],
            Exclude = ["email:boss@example.com"],
        };
        Assert.Equal(expected, updated);
        Assert.Equal([expected], await Store.ListPoliciesAsync(null, Token));
    }

    [Fact]
    public async Task UpdatePolicy_MayKeepItsOwnPrecedence_ButNotTakeAnother()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var first = await AddPolicyAsync("db.example.com", "first", 1);
        var second = await AddPolicyAsync("db.example.com", "second", 2);

        await Store.UpdatePolicyAsync(second.Id, "second", "deny", 2, [], [], [], Token);
        var ex = await Assert.ThrowsAsync<StoreConflictException>(
            () => Store.UpdatePolicyAsync(second.Id, "second", "deny", 1, [], [], [], Token));

        Assert.Contains("precedence 1 is taken by policy 'first'", ex.Message, StringComparison.Ordinal);
        Assert.Equal([first.Id, second.Id], (await Store.ListPoliciesAsync(null, Token)).Select(p => p.Id));
    }

    [Fact]
    public async Task UpdatePolicy_OfAnUnknownPolicy_IsNotFound_AndBadInputIsRefusedFirst()
    {
        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.UpdatePolicyAsync(Guid.NewGuid(), "p", "allow", 1, [], [], [], Token));

        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.UpdatePolicyAsync(Guid.NewGuid(), "p", "maybe", 1, [], [], [], Token));
        Assert.StartsWith("action: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyRecord_ComparesSelectorsByValue()
    {
        await Store.CreateAppAsync("db.example.com", Day, Token);
        var policy = await AddPolicyAsync("db.example.com", "p", 1);

        Assert.Equal(policy, policy with { Include = [.. policy.Include] });
        Assert.NotEqual(policy, policy with { Include = ["someone-else"] });
        Assert.Equal(policy.GetHashCode(), (policy with { Include = [.. policy.Include] }).GetHashCode());
    }
    private Task<StoredPolicy> AddPolicyAsync(string app, string name, int precedence) =>
        Store.AddPolicyAsync(app, name, "allow", precedence, ["email_domain:example.com"], [], [], Token);

    private Task<StoredPolicy> AddWithListAsync(string field, IReadOnlyList<string> selectors) => field switch
    {
        "include" => Store.AddPolicyAsync("db.example.com", "p", "allow", 1, selectors, [], [], Token),
        "require" => Store.AddPolicyAsync("db.example.com", "p", "allow", 1, ["everyone"], selectors, [], Token),
        _ => Store.AddPolicyAsync("db.example.com", "p", "allow", 1, ["everyone"], [], selectors, Token),
    };
}
