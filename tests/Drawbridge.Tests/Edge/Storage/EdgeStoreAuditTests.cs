using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>The audit log (schema 2): appends that never lose a record, and filtered reads. The contract both stores pass (<see cref="SqliteEdgeStore"/>, <see cref="PostgresEdgeStore"/>).</summary>
public abstract class EdgeStoreAuditTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;

    private SqlEdgeStore Store => _scope.Store;

    private CancellationToken Token => _scope.Token;

    private DateTimeOffset Now => _scope.Time.GetUtcNow();

    private readonly PostgresServer? _server;

    private protected EdgeStoreAuditTests(PostgresServer? server) => _server = server;

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync(_server);

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task AppendAudit_StoresEveryField_AndAssignsGrowingIds()
    {
        var connection = new AuditEvent(
            0, Now, "connection", "alice@example.com", "db.example.com", "allowed", "engineers", "203.0.113.7:51234", 1234, 56789, 60_000, "closed by client");

        var first = await Store.AppendAuditAsync(connection, Token);
        var second = await Store.AppendAuditAsync(Event("sign_in", "bob@example.com"), Token);
        await _scope.ReopenAsync();

        Assert.True(second > first);
        var read = await _scope.Store.ListAuditAsync(null, null, null, null, 10, Token);
        Assert.Equal([second, first], read.Select(e => e.Id));
        Assert.Equal(connection with { Id = first }, read[1]);
    }

    [Fact]
    public async Task AppendAudit_IgnoresTheCallersId()
    {
        var id = await Store.AppendAuditAsync(Event("admin", "root") with { Id = 999_999 }, Token);
        var next = await Store.AppendAuditAsync(Event("admin", "root") with { Id = 999_999 }, Token);

        Assert.NotEqual(999_999, id);
        Assert.Equal(id + 1, next);
    }

    [Fact]
    public async Task AppendAudit_KeepsNullsAsNulls()
    {
        var bare = new AuditEvent(0, Now, "admin", "root", null, "created", null, null, null, null, null, null);

        var id = await Store.AppendAuditAsync(bare, Token);

        Assert.Equal(bare with { Id = id }, Assert.Single(await Store.ListAuditAsync(null, null, null, null, 1, Token)));
    }

    [Fact]
    public async Task AppendAudit_CutsALongDetailTo8KiB_InsteadOfFailing()
    {
        var exact = new string('d', 8192);
        var huge = new string('x', 1_000_000);

        await Store.AppendAuditAsync(Event("connection", "a") with { Detail = exact }, Token);
        _scope.Time.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendAuditAsync(Event("connection", "b") with { Detail = huge }, Token);

        var read = await Store.ListAuditAsync(null, null, null, null, 10, Token);
        Assert.Equal(exact, read[1].Detail);
        Assert.Equal(8192, read[0].Detail!.Length);
        Assert.Equal(new string('x', 8191) + "…", read[0].Detail);
    }

    [Fact]
    public async Task AppendAudit_CutsLongShortFieldsTo1024_AndNeverSplitsASurrogatePair()
    {
        var actor = new string('a', 1022) + "🙂🙂";
        var app = new string('h', 5000);

        await Store.AppendAuditAsync(Event("sign_in", actor) with { App = app, Outcome = app, Policy = app, ClientAddress = app }, Token);

        var read = Assert.Single(await Store.ListAuditAsync(null, null, null, null, 10, Token));
        Assert.Equal(new string('a', 1022) + "…", read.Actor);
        Assert.Equal(new string('h', 1023) + "…", read.App);
        Assert.Equal(read.App, read.Outcome);
        Assert.Equal(read.App, read.Policy);
        Assert.Equal(read.App, read.ClientAddress);
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE audit_events;--")]
    [InlineData("' OR '1'='1")]
    [InlineData("line\nbreak\u001b[31m and \t tab")]
    [InlineData("名前 🙂")]
    public async Task AppendAudit_StoresHostileTextVerbatim(string text)
    {
        var hostile = new AuditEvent(0, Now, "sign_in", text, text, text, text, text, -1, long.MaxValue, 0, text);

        var id = await Store.AppendAuditAsync(hostile, Token);
        await _scope.ReopenAsync();

        Assert.Equal(hostile with { Id = id }, Assert.Single(await _scope.Store.ListAuditAsync(null, text, text, "sign_in", 10, Token)));
        Assert.Empty(await _scope.Store.ListAuditAsync(null, "' OR '1'='1' --", null, null, 10, Token));
    }

    [Fact]
    public async Task AppendAudit_NulBecomesTheReplacementCharacter_AndFiltersStillFindIt()
    {
        const string text = "a\0b";
        var withNul = new AuditEvent(0, Now, "sign_in", text, text, text, text, text, null, null, null, text);

        var id = await Store.AppendAuditAsync(withNul, Token);

        const string stored = "a\uFFFDb";
        Assert.Equal(
            new AuditEvent(id, Now, "sign_in", stored, stored, stored, stored, stored, null, null, null, stored),
            Assert.Single(await Store.ListAuditAsync(null, text, text, null, 10, Token)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("login")]
    [InlineData("SIGN_IN")]
    [InlineData("admin'; --")]
    public async Task AppendAudit_RefusesAnUnknownKind(string kind)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.AppendAuditAsync(Event(kind, "root"), Token));

        Assert.StartsWith("kind: ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("is not one of sign_in, connection, admin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAudit_TreatsAMissingActorOrOutcomeAsEmpty()
    {
        await Store.AppendAuditAsync(new AuditEvent(0, Now, "sign_in", null!, null, null!, null, null, null, null, null, null), Token);

        var read = Assert.Single(await Store.ListAuditAsync(null, null, null, null, 10, Token));
        Assert.Equal("", read.Actor);
        Assert.Equal("", read.Outcome);
    }

    [Fact]
    public async Task ListAudit_IsNewestFirst_WithAppendOrderBreakingTies()
    {
        var start = Now;
        var a = await Store.AppendAuditAsync(Event("admin", "a") with { At = start.AddSeconds(2) }, Token);
        var b = await Store.AppendAuditAsync(Event("admin", "b") with { At = start }, Token);
        var c = await Store.AppendAuditAsync(Event("admin", "c") with { At = start.AddSeconds(2) }, Token);
        var d = await Store.AppendAuditAsync(Event("admin", "d") with { At = start.AddSeconds(1) }, Token);

        Assert.Equal([c, a, d, b], (await Store.ListAuditAsync(null, null, null, null, 100, Token)).Select(e => e.Id));
    }

    [Fact]
    public async Task ListAudit_FiltersBySinceActorAppAndKind()
    {
        var start = Now;
        await Store.AppendAuditAsync(Event("sign_in", "alice@example.com") with { At = start }, Token);
        await Store.AppendAuditAsync(Event("connection", "alice@example.com") with { At = start.AddMinutes(1), App = "db.example.com" }, Token);
        await Store.AppendAuditAsync(Event("connection", "bob@example.com") with { At = start.AddMinutes(2), App = "db.example.com" }, Token);
        await Store.AppendAuditAsync(Event("connection", "alice@example.com") with { At = start.AddMinutes(3), App = "ssh.example.com" }, Token);
        await Store.AppendAuditAsync(Event("admin", "root") with { At = start.AddMinutes(4) }, Token);

        async Task<string[]> Query(DateTimeOffset? since = null, string? actor = null, string? app = null, string? kind = null) =>
            [.. (await Store.ListAuditAsync(since, actor, app, kind, 100, Token)).Select(e => $"{e.Kind}/{e.Actor}/{e.App}")];

        Assert.Equal(5, (await Query()).Length);
        Assert.Equal(
            ["admin/root/", "connection/alice@example.com/ssh.example.com"],
            await Query(since: start.AddMinutes(3)));
        Assert.Equal(
            ["connection/alice@example.com/ssh.example.com", "connection/alice@example.com/db.example.com", "sign_in/alice@example.com/"],
            await Query(actor: "alice@example.com"));
        Assert.Equal(["connection/bob@example.com/db.example.com", "connection/alice@example.com/db.example.com"], await Query(app: "db.example.com"));
        Assert.Equal(["sign_in/alice@example.com/"], await Query(kind: "sign_in"));
        Assert.Equal(
            ["connection/alice@example.com/db.example.com"],
            await Query(since: start.AddSeconds(30), actor: "alice@example.com", app: "db.example.com", kind: "connection"));
        Assert.Empty(await Query(actor: "ALICE@example.com"));
        Assert.Empty(await Query(since: start.AddMinutes(4).AddMilliseconds(1)));
    }

    [Fact]
    public async Task ListAudit_ReturnsAtMostLimit_TheNewest()
    {
        var ids = new List<long>();
        for (int i = 0; i < 30; i++)
        {
            ids.Add(await Store.AppendAuditAsync(Event("connection", $"user{i}"), Token));
            _scope.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(ids.AsEnumerable().Reverse().Take(7), (await Store.ListAuditAsync(null, null, null, null, 7, Token)).Select(e => e.Id));
        Assert.Single(await Store.ListAuditAsync(null, null, null, null, 1, Token));
        Assert.Equal(30, (await Store.ListAuditAsync(null, null, null, null, 10_000, Token)).Count);
    }

    [Fact]
    public async Task AppendAuditBatch_StoresEveryEventInOrder_WithTheSameCutsAsOneByOne()
    {
        var connection = new AuditEvent(
            0, Now, "connection", "alice@example.com", "db.example.com", "closed", "engineers", "203.0.113.7:51234", 1234, 56789, 60_000, "closed by client");
        var bare = new AuditEvent(0, Now, "connection", "(unauthenticated)", "db.example.com", "unauthenticated", null, "203.0.113.8:1", null, null, null, null);
        var hostile = new AuditEvent(0, Now, "connection", "Robert'); DROP TABLE audit_events;--", "名前 🙂", "x", null, null, -1, long.MaxValue, 0,
            new string('x', 1_000_000));

        await Store.AppendAuditBatchAsync([connection, bare, hostile], Token);
        await _scope.ReopenAsync();

        var read = await _scope.Store.ListAuditAsync(null, null, null, null, 10, Token);
        Assert.Equal(3, read.Count);
        Assert.True(read[0].Id > read[1].Id && read[1].Id > read[2].Id);
        Assert.Equal(connection with { Id = read[2].Id }, read[2]);
        Assert.Equal(bare with { Id = read[1].Id }, read[1]);
        Assert.Equal(hostile with { Id = read[0].Id, Detail = new string('x', 8191) + "…" }, read[0]);
    }

    [Fact]
    public async Task AppendAuditBatch_OfManyEvents_WritesThemAll()
    {
        AuditEvent[] events = [.. Enumerable.Range(0, 600).Select(i => Event("connection", $"user{i}"))];

        await Store.AppendAuditBatchAsync(events, Token);
        await Store.AppendAuditBatchAsync([], Token);

        var read = await Store.ListAuditAsync(null, null, null, null, 10_000, Token);
        Assert.Equal(600, read.Count);
        Assert.Equal(events.Select(e => e.Actor).Reverse(), read.Select(e => e.Actor));
    }

    [Fact]
    public async Task AppendAuditBatch_WithOneUnknownKind_WritesNothing()
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() =>
            Store.AppendAuditBatchAsync([Event("connection", "a"), Event("login", "b"), Event("connection", "c")], Token));

        Assert.StartsWith("kind: ", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListAuditAsync(null, null, null, null, 10, Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    [InlineData(int.MaxValue)]
    public async Task ListAudit_RefusesALimitOutside1To10000(int limit)
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.ListAuditAsync(null, null, null, null, limit, Token));

        Assert.Equal($"limit: is {limit}: expected 1–10000", ex.Message);
    }

    [Fact]
    public async Task ListAudit_RefusesAnUnknownKindFilter()
    {
        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => Store.ListAuditAsync(null, null, null, "' OR 1=1 --", 10, Token));

        Assert.StartsWith("kind: ", ex.Message, StringComparison.Ordinal);
    }

    private AuditEvent Event(string kind, string actor) =>
        new(0, Now, kind, actor, null, "ok", null, null, null, null, null, null);
}
