using System.Collections.Concurrent;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// Single-use, short-lived entries keyed by a random code (sign-in state, CLI authorization codes):
/// <see cref="Take"/> removes the entry, so a replayed code finds nothing. Bounded, so a flood of
/// started-but-never-finished sign-ins cannot grow memory without limit.
/// </summary>
internal sealed class ExpiringCodes<T>(TimeSpan lifetime, int capacity, TimeProvider time)
    where T : class
{
    private readonly ConcurrentDictionary<string, (T Value, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => lifetime;

    /// <summary>Stores <paramref name="value"/> under <paramref name="code"/>; false when full (even after dropping expired entries).</summary>
    public bool TryAdd(string code, T value)
    {
        if (_entries.Count >= capacity)
        {
            DropExpired();
            if (_entries.Count >= capacity)
            {
                return false;
            }
        }

        return _entries.TryAdd(code, (value, time.GetUtcNow() + lifetime));
    }

    /// <summary>Removes and returns the entry; null when unknown, already used or expired.</summary>
    public T? Take(string? code)
    {
        if (code is null || !_entries.TryRemove(code, out var entry))
        {
            return null;
        }

        return entry.Expires > time.GetUtcNow() ? entry.Value : null;
    }

    private void DropExpired()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach (var (code, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(code, out _);
            }
        }
    }
}
