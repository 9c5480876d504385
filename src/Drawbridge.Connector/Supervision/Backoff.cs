namespace Drawbridge.Connector.Supervision;

/// <summary>
/// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and
/// Jitter"): the n-th retry waits a random time in [0, min(cap, base × 2ⁿ)], so a fleet of
/// connectors reconnecting after an edge restart spreads out instead of stampeding.
/// </summary>
internal sealed class Backoff(TimeSpan baseDelay, TimeSpan cap, Random random)
{
    private int _attempt;

    public static Backoff Default() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Random.Shared);

    public TimeSpan Next()
    {
        double ceiling = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }

    /// <summary>After a link stayed up for a stable period, the next failure starts small again.</summary>
    public void Reset() => _attempt = 0;
}
