using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Observability;

/// <summary>The tags edge and connector share, built once: recording a measurement allocates nothing.</summary>
internal static class MetricTags
{
    public static readonly KeyValuePair<string, object?> Up = new("direction", "up");

    public static readonly KeyValuePair<string, object?> Down = new("direction", "down");

    /// <summary>A stream that opened, where <see cref="Outcome"/> says why one did not.</summary>
    public static readonly KeyValuePair<string, object?> Opened = new("outcome", "opened");

    private static readonly Dictionary<ConnectionOutcome, KeyValuePair<string, object?>> Outcomes =
        Enum.GetValues<ConnectionOutcome>().ToDictionary(o => o, o => new KeyValuePair<string, object?>("outcome", o.WireName()));

    /// <summary><c>outcome</c> with the outcome's wire name (SPEC.md §7).</summary>
    public static KeyValuePair<string, object?> Outcome(ConnectionOutcome outcome) => Outcomes[outcome];
}
