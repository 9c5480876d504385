namespace Drawbridge.Protocol.Tests.Support;

/// <summary>How long tests wait. Every async test has a whole-test timeout (xunit's
/// <c>Timeout</c>, honoured because collections run one at a time: xunit.runner.json), and
/// every awaited event has a shorter one so a failure names what never happened.</summary>
internal static class TestTimeouts
{
    /// <summary>A whole test of ordinary size.</summary>
    public const int Test = 30_000;

    /// <summary>A whole test that moves hundreds of MiB (several transports, 2 cores, TLS).</summary>
    public const int Heavy = 180_000;

    /// <summary>One awaited event: a frame, a reply, a completion.</summary>
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(10);

    /// <summary>One awaited bulk transfer.</summary>
    public static readonly TimeSpan Transfer = TimeSpan.FromSeconds(120);
}
