using Drawbridge.Edge.Audit;
using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Edge.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Tests.Edge.Audit;

/// <summary>
/// Connection records are written in batches by one writer, on a real SQLite store: none is
/// lost, order is kept, a flush sees everything queued before it, stopping writes the rest,
/// and a failed write is logged without failing the connection that queued it.
/// </summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;
    private readonly RecordingLogger _logger = new();

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync();

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task QueuedConnections_AreAllInTheStoreAfterAFlush_InOrder()
    {
        await using var audit = new AuditLog(_scope.Store, _scope.Time, _logger);

        for (int i = 0; i < 10; i++)
        {
            await audit.ConnectionAsync($"email:user{i}@example.com", "db.example.com", "closed", "staff", "127.0.0.1:1", i, 2 * i, 3, null);
        }

        await audit.FlushAsync(_scope.Token);

        IReadOnlyList<AuditEvent> read = await _scope.Store.ListAuditAsync(null, null, null, "connection", 100, _scope.Token);
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => $"email:user{i}@example.com"), read.Select(e => e.Actor));
        Assert.Equal(18, read[0].BytesDown);
        Assert.Empty(_logger.Errors);
    }

    [Fact]
    public async Task ManyConnectionsEndingAtOnce_AreAllWritten()
    {
        await using var audit = new AuditLog(_scope.Store, _scope.Time, _logger);
        const int connections = 2000;

        await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
            await audit.ConnectionAsync($"email:u{i}", "db.example.com", "closed", null, "127.0.0.1:1", 1, 1, 1, null))));
        await audit.FlushAsync(_scope.Token);

        IReadOnlyList<AuditEvent> read = await _scope.Store.ListAuditAsync(null, null, null, "connection", 10_000, _scope.Token);
        Assert.Equal(connections, read.Count);
        Assert.Equal(connections, read.Select(e => e.Actor).Distinct().Count());
    }

    [Fact]
    public async Task Stopping_WritesWhatIsQueued_AndLaterRecordsStillReachTheStore()
    {
        var audit = new AuditLog(_scope.Store, _scope.Time, _logger);
        await audit.ConnectionAsync("email:before", "db.example.com", "closed", null, "127.0.0.1:1", 1, 1, 1, null);

        await audit.DisposeAsync();
        await audit.ConnectionAsync("email:after", "db.example.com", "edge_draining", null, "127.0.0.1:1", null, null, null, "the edge stopped");
        await audit.FlushAsync(_scope.Token);

        IReadOnlyList<AuditEvent> read = await _scope.Store.ListAuditAsync(null, null, null, null, 10, _scope.Token);
        Assert.Equal(["email:after", "email:before"], read.Select(e => e.Actor));
    }

    [Fact]
    public async Task AFailedWrite_IsLogged_AndNeitherTheConnectionNorAFlushFails()
    {
        await using var audit = new AuditLog(_scope.Store, _scope.Time, _logger);
        await using (var raw = new SqliteConnection($"Data Source={_scope.DatabasePath}"))
        {
            await raw.OpenAsync(_scope.Token);
            await using SqliteCommand drop = raw.CreateCommand();
            drop.CommandText = "DROP TABLE audit_events;";
            await drop.ExecuteNonQueryAsync(_scope.Token);
        }

        await audit.ConnectionAsync("email:lost", "db.example.com", "closed", null, "127.0.0.1:1", 1, 1, 1, null);
        await audit.FlushAsync(_scope.Token);

        string error = Assert.Single(_logger.Errors);
        Assert.Contains("Writing 1 connection audit records failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFlushWithNothingQueued_ReturnsAtOnce()
    {
        await using var audit = new AuditLog(_scope.Store, _scope.Time, _logger);

        await audit.FlushAsync(_scope.Token);

        Assert.Empty(await _scope.Store.ListAuditAsync(null, null, null, null, 10, _scope.Token));
    }

    private sealed class RecordingLogger : ILogger<AuditLog>
    {
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add(formatter(state, exception));
                }
            }
        }
    }
}
