namespace Drawbridge.Bench.S10k;

/// <summary>Keeps the first failure's message (the rest are usually the same one repeated).</summary>
internal sealed class ErrorSink
{
    private string? _first;

    public string? First => Volatile.Read(ref _first);

    public void Add(string message) => Interlocked.CompareExchange(ref _first, message, null);
}
