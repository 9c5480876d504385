using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>Sign-in sessions and their revocation (schema 2). The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStoreSessionTests : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private DateTimeOffset Now => _scope.Time.GetUtcNow();

    private readonly PostgresServer? _server;

    private protected EdgeStoreSessionTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task CreateSession_StoresEveryField_WithTheEmailInLowercase()
    {
        var hash = StoreUnderTest.NewHash();

        var session = await Store.CreateSessionAsync(
            hash, "Alice@Example.COM", "Alice Liddell", ["eng", "on-call"], "oidc:google", "203.0.113.7", Now + Day, Token);

        Assert.Equal(
            new UserSession(
                session.Id, hash, "alice@example.com", "Alice Liddell", ["eng", "on-call"], "oidc:google", "203.0.113.7", Now, Now + Day, null, null),
            session);
        await _scope.ReopenAsync();
        Assert.Equal(session, await _scope.Store.GetSessionAsync(session.Id, Token));
        Assert.Null(await _scope.Store.GetSessionAsync(Guid.NewGuid(), Token));
    }

    [Fact]
    public async Task RevokedSessionIds_AreThoseRevokedAndNotYetExpired()
    {
        var live = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "a@example.com", null, [], "otp", null, Now + Day, Token);
        var revoked = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "b@example.com", null, [], "otp", null, Now + Day, Token);
        var revokedSoonOver = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "c@example.com", null, [], "otp", null, Now + TimeSpan.FromHours(1), Token);
        Assert.True(await Store.RevokeSessionAsync(revoked.Id, "test", Token));
        Assert.True(await Store.RevokeSessionAsync(revokedSoonOver.Id, "test", Token));

        Assert.Equal(new[] { revoked.Id, revokedSoonOver.Id }.Order(), (await Store.ListRevokedSessionIdsAsync(Now, Token)).Order());
        Assert.Equal([revoked.Id], await Store.ListRevokedSessionIdsAsync(Now + TimeSpan.FromHours(2), Token));
        Assert.DoesNotContain(live.Id, await Store.ListRevokedSessionIdsAsync(Now, Token));
    }

    [Fact]
    public async Task CreateSession_WithoutOptionalFields_StoresNulls()
    {
        var session = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, Now + Day, Token);

        var read = await Store.GetSessionAsync(session.Id, Token);

        Assert.Null(read!.DisplayName);
        Assert.Null(read.ClientAddress);
        Assert.Empty(read.Groups);
        Assert.True(read.IsActive(Now));
    }

    [Fact]
    public async Task CreateSession_CutsExpiryToTheMillisecondStored()
    {
        var session = await Store.CreateSessionAsync(
            StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, Now + Day + TimeSpan.FromTicks(1234), Token);

        Assert.Equal(Now + Day, session.ExpiresAt);
        Assert.Equal(session, await Store.GetSessionAsync(session.Id, Token));
    }

    [Fact]
    public async Task CreateSession_ThatExpiresNowOrBefore_IsRefused()
    {
        var atNow = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, Now, Token));
        var past = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", null, Now - Day, Token));

        Assert.StartsWith("expiresAt: ", atNow.Message, StringComparison.Ordinal);
        Assert.StartsWith("expiresAt: ", past.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadEmails => new()
    {
        { "", "email: is empty" },
        { "alice", "email: \"alice\" is not an e-mail address" },
        { "@example.com", "email: \"@example.com\" is not an e-mail address" },
        { "alice@", "email: \"alice@\" is not an e-mail address" },
        { "alice @example.com", "email: \"alice @example.com\" is not an e-mail address" },
        { "alice@example.com\r\nBcc: x@evil.example", "email: \"alice@example.com??Bcc: x@evil.example\" is not an e-mail address" },
        { new string('a', 243) + "@example.com", "email: is 255 characters long: at most 254" },
    };

    [Theory]
    [MemberData(nameof(BadEmails))]
    public async Task CreateSession_RefusesABadEmail(string email, string expected)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync(StoreUnderTest.NewHash(), email, null, [], "otp", null, Now + Day, Token));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListSessionsAsync(activeOnly: false, Now, Token));
    }

    [Fact]
    public async Task CreateSession_RefusesAnythingButASecretHash()
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync("the-secret-itself", "bob@example.com", null, [], "otp", null, Now + Day, Token));

        Assert.StartsWith("secretHash: ", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadGroupLists => new()
    {
        { "too-many", "groups: has 201 groups: at most 200" },
        { "too-long", "groups[1]: is 257 characters long: at most 256" },
        { "empty", "groups[1]: is empty" },
        { "control", "groups[1]: contains control characters" },
    };

    [Theory]
    [MemberData(nameof(BadGroupLists))]
    public async Task CreateSession_RefusesBadGroups(string shape, string expected)
    {
        string[] groups = shape switch
        {
            "too-many" => [.. Enumerable.Range(0, 201).Select(i => $"g{i}")],
            "too-long" => ["eng", new string('g', 257)],
            "empty" => ["eng", ""],
            _ => ["eng", "eng\u001b[2J"],
        };

        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, groups, "otp", null, Now + Day, Token));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_Accepts200GroupsOf256Characters()
    {
        var groups = Enumerable.Range(0, 200).Select(i => $"{i:D3}" + new string('g', 253)).ToArray();

        var session = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, groups, "otp", null, Now + Day, Token);

        Assert.Equal(groups, (await Store.GetSessionAsync(session.Id, Token))!.Groups);
    }

    [Fact]
    public async Task CreateSession_RefusesAMissingGroupList()
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(
            () => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, null!, "otp", null, Now + Day, Token));

        Assert.Equal("groups: is missing: pass an empty list for none", ex.Message);
    }

    [Theory]
    [InlineData("displayName", "line\nbreak", "displayName: contains control characters")]
    [InlineData("displayName", "", "displayName: is empty")]
    [InlineData("displayName", "257", "displayName: is 257 characters long: at most 256")]
    [InlineData("loginMethod", "", "loginMethod: is empty")]
    [InlineData("loginMethod", "otp\u0000", "loginMethod: contains control characters")]
    [InlineData("loginMethod", "101", "loginMethod: is 101 characters long: at most 100")]
    [InlineData("clientAddress", "203.0.113.7\r\n", "clientAddress: contains control characters")]
    [InlineData("clientAddress", "101", "clientAddress: is 101 characters long: at most 100")]
    public async Task CreateSession_RefusesBadText_NamingTheField(string field, string value, string expected)
    {
        if (int.TryParse(value, out var length))
        {
            value = new string('x', length);
        }

        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => field switch
        {
            "displayName" => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", value, [], "otp", null, Now + Day, Token),
            "loginMethod" => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], value, null, Now + Day, Token),
            _ => Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, [], "otp", value, Now + Day, Token),
        });

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE user_sessions;--")]
    [InlineData("' OR '1'='1")]
    [InlineData("[\"eng\"], \"admin\"")]
    [InlineData("名前 🙂")]
    public async Task CreateSession_StoresHostileTextVerbatim(string text)
    {
        var session = await Store.CreateSessionAsync(
            StoreUnderTest.NewHash(), "o'brien+x@example.com", text, [text, "eng"], text, text, Now + Day, Token);
        await _scope.ReopenAsync();

        var read = await _scope.Store.GetSessionAsync(session.Id, Token);

        Assert.Equal(session, read);
        Assert.Equal([text, "eng"], read!.Groups);
        Assert.Equal("o'brien+x@example.com", read.Email);
        Assert.Single(await _scope.Store.ListSessionsAsync(activeOnly: false, Now, Token));
    }

    [Fact]
    public async Task ListSessions_ActiveOnly_LeavesOutRevokedAndExpired()
    {
        var live = await CreateAsync("live@example.com", Day);
        _scope.Time.Advance(TimeSpan.FromMilliseconds(1));
        var revoked = await CreateAsync("revoked@example.com", Day);
        _scope.Time.Advance(TimeSpan.FromMilliseconds(1));
        var expiring = await CreateAsync("expiring@example.com", TimeSpan.FromHours(1));
        await Store.RevokeSessionAsync(revoked.Id, "left the company", Token);

        Assert.Equal([live.Id, revoked.Id, expiring.Id], (await Store.ListSessionsAsync(activeOnly: false, Now, Token)).Select(s => s.Id));
        Assert.Equal([live.Id, expiring.Id], (await Store.ListSessionsAsync(activeOnly: true, Now, Token)).Select(s => s.Id));
        Assert.Equal([live.Id], (await Store.ListSessionsAsync(activeOnly: true, expiring.ExpiresAt, Token)).Select(s => s.Id));
        Assert.Equal(
            [live.Id, expiring.Id],
            (await Store.ListSessionsAsync(activeOnly: true, expiring.ExpiresAt.AddMilliseconds(-1), Token)).Select(s => s.Id));
        Assert.Empty(await Store.ListSessionsAsync(activeOnly: true, Now + Day, Token));
    }

    [Fact]
    public async Task ListSessions_IsInCreationOrder()
    {
        var first = await CreateAsync("a@example.com", Day);
        _scope.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await CreateAsync("b@example.com", Day);
        _scope.Time.Advance(TimeSpan.FromSeconds(1));
        var third = await CreateAsync("a@example.com", Day);

        Assert.Equal([first.Id, second.Id, third.Id], (await Store.ListSessionsAsync(activeOnly: false, Now, Token)).Select(s => s.Id));
    }

    [Fact]
    public async Task RevokeSession_StampsTimeAndReason_Once()
    {
        var session = await CreateAsync("bob@example.com", Day);
        _scope.Time.Advance(TimeSpan.FromMinutes(10));
        var revokedAt = Now;

        Assert.True(await Store.RevokeSessionAsync(session.Id, "signed out", Token));
        _scope.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(await Store.RevokeSessionAsync(session.Id, "again", Token));
        Assert.False(await Store.RevokeSessionAsync(Guid.NewGuid(), "unknown", Token));

        var read = await Store.GetSessionAsync(session.Id, Token);
        Assert.Equal(session with { RevokedAt = revokedAt, RevokedReason = "signed out" }, read);
        Assert.False(read!.IsActive(revokedAt));
    }

    [Fact]
    public async Task RevokeSession_WithoutAReason_StoresNull()
    {
        var session = await CreateAsync("bob@example.com", Day);

        Assert.True(await Store.RevokeSessionAsync(session.Id, null, Token));

        Assert.Null((await Store.GetSessionAsync(session.Id, Token))!.RevokedReason);
        Assert.NotNull((await Store.GetSessionAsync(session.Id, Token))!.RevokedAt);
    }

    [Theory]
    [InlineData("bad\nreason", "reason: contains control characters")]
    [InlineData("501", "reason: is 501 characters long: at most 500")]
    public async Task Revoke_RefusesABadReason(string reason, string expected)
    {
        if (int.TryParse(reason, out var length))
        {
            reason = new string('r', length);
        }

        var session = await CreateAsync("bob@example.com", Day);

        var one = await Assert.ThrowsAsync<StoreValidationException>(() => Store.RevokeSessionAsync(session.Id, reason, Token));
        var all = await Assert.ThrowsAsync<StoreValidationException>(() => Store.RevokeSessionsByEmailAsync("bob@example.com", reason, Token));

        Assert.StartsWith(expected, one.Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, all.Message, StringComparison.Ordinal);
        Assert.True((await Store.GetSessionAsync(session.Id, Token))!.IsActive(Now));
    }

    [Fact]
    public async Task RevokeSessionsByEmail_EndsEveryLiveSessionOfThatAddress_InAnyCase()
    {
        var laptop = await CreateAsync("bob@example.com", Day);
        var phone = await CreateAsync("BOB@example.com", Day);
        var expired = await CreateAsync("bob@example.com", TimeSpan.FromMinutes(5));
        var alreadyRevoked = await CreateAsync("bob@example.com", Day);
        var alice = await CreateAsync("alice@example.com", Day);
        await Store.RevokeSessionAsync(alreadyRevoked.Id, "earlier", Token);
        _scope.Time.Advance(TimeSpan.FromMinutes(10));

        var revoked = await Store.RevokeSessionsByEmailAsync("Bob@Example.com", "offboarded", Token);

        Assert.Equal(new[] { laptop.Id, phone.Id }.Order(), revoked.Order());
        Assert.Equal("offboarded", (await Store.GetSessionAsync(laptop.Id, Token))!.RevokedReason);
        Assert.Equal(Now, (await Store.GetSessionAsync(phone.Id, Token))!.RevokedAt);
        Assert.Null((await Store.GetSessionAsync(expired.Id, Token))!.RevokedAt);
        Assert.Equal("earlier", (await Store.GetSessionAsync(alreadyRevoked.Id, Token))!.RevokedReason);
        Assert.Equal([alice.Id], (await Store.ListSessionsAsync(activeOnly: true, Now, Token)).Select(s => s.Id));
        Assert.Empty(await Store.RevokeSessionsByEmailAsync("bob@example.com", "again", Token));
        Assert.Empty(await Store.RevokeSessionsByEmailAsync("nobody@example.com", null, Token));
    }

    [Theory]
    [InlineData("' OR '1'='1")]
    [InlineData("%@%")]
    [InlineData("")]
    public async Task RevokeSessionsByEmail_WithHostileInput_RevokesNothing(string email)
    {
        await CreateAsync("bob@example.com", Day);

        try
        {
            Assert.Empty(await Store.RevokeSessionsByEmailAsync(email, null, Token));
        }
        catch (StoreValidationException ex)
        {
            Assert.StartsWith("email: ", ex.Message, StringComparison.Ordinal);
        }

        Assert.Single(await Store.ListSessionsAsync(activeOnly: true, Now, Token));
    }

    [Fact]
    public async Task SessionRecord_ComparesGroupsByValue()
    {
        var session = await Store.CreateSessionAsync(StoreUnderTest.NewHash(), "bob@example.com", null, ["eng"], "otp", null, Now + Day, Token);

        Assert.Equal(session, session with { Groups = ["eng"] });
        Assert.NotEqual(session, session with { Groups = ["admins"] });
    }

    private Task<UserSession> CreateAsync(string email, TimeSpan lifetime) =>
        Store.CreateSessionAsync(StoreUnderTest.NewHash(), email, null, [], "otp", null, Now + lifetime, Token);
}
