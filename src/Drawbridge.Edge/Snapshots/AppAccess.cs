using Drawbridge.Edge.Policies;

namespace Drawbridge.Edge.Snapshots;

/// <summary>An application as the hot path needs it: its session duration and its policies, parsed.
/// <see cref="Problem"/> is set when a stored policy no longer parses: the app then admits no one.</summary>
internal sealed record AppAccess(string Hostname, TimeSpan SessionDuration, IReadOnlyList<Policy> Policies, string? Problem)
{
    /// <summary><see cref="Policies"/> in evaluation order, worked out once per snapshot rather than per connection.</summary>
    public PolicySet Ordered { get; } = new(Policies);
}
