using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary>A real <see cref="SqliteEdgeStore"/> in a temporary directory, on a fake clock.</summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    /// <summary>Every store call in a test finishes in milliseconds; this bounds a hung one.</summary>
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private StoreUnderTest(TempDirectory directory, FakeTimeProvider time)
    {
        Directory = directory;
        Time = time;
        DatabasePath = directory.Combine("data", "edge.db");
    }

    public TempDirectory Directory { get; }

    public FakeTimeProvider Time { get; }

    public string DatabasePath { get; }

    public SqlEdgeStore Store { get; private set; } = null!;

    public CancellationToken Token => _timeout.Token;

    public static async Task<StoreUnderTest> OpenAsync()
    {
        var scope = new StoreUnderTest(TempDirectory.Create(), new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero)));
        await scope.ReopenAsync();
        return scope;
    }

    public static string NewHash() => SecretHash.Hash(SecretHash.NewSecret());

    /// <summary>Closes the store and opens the same file again, as a restarted edge would.</summary>
    public async Task ReopenAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        Store = await SqliteEdgeStore.OpenAsync(DatabasePath, Time, NullLogger.Instance, Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        Directory.Dispose();
        _timeout.Dispose();
    }
}
