using Drawbridge.Edge.Tokens;

namespace Drawbridge.Edge.Hosting;

/// <summary>Options of <c>drawbridge edge run</c>, validated at start-up.</summary>
internal sealed record EdgeRunOptions
{
    /// <summary>The directory <c>edge init</c> laid out.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Address to listen on, <c>IP:PORT</c>; default <c>0.0.0.0:443</c>. Port 0 picks a free port.</summary>
    public string Listen { get; init; } = "0.0.0.0:443";

    /// <summary>Operator-provided certificate and key (PEM); default: certificates issued by the edge's own CA.</summary>
    public string? CertificatePath { get; init; }

    public string? KeyPath { get; init; }

    /// <summary><c>--metrics IP:PORT</c>: plain HTTP <c>/metrics</c> (Prometheus) and <c>/ready</c> on a
    /// local address, apart from <see cref="Listen"/>; null = off (docs/METRICS.md).</summary>
    public System.Net.IPEndPoint? MetricsEndpoint { get; init; }

    /// <summary>On SIGTERM, how long open connections may take to finish (default 30 s, 0 – 1 h).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The edge also PINGs each link, so a connector that vanished without a FIN is noticed
    /// and no stream is sent into a dead link. 5 s, like the connector (SPEC.md §3).</summary>
    public TimeSpan LinkKeepAlive { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A link whose PING is unanswered this long is dropped (SPEC.md §3: 10 s).</summary>
    public TimeSpan LinkKeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many streams open at once on one client link (SPEC.md §8): a SYN beyond
    /// it is refused, so one client cannot hold unbounded memory here and at the connector.
    /// 16,384: many connection pools' worth, and the benchmark's 10,000 held streams fit.</summary>
    public int MaxStreamsPerClientLink { get; init; } = 16_384;

    /// <summary>
    /// Where the state is (see <see cref="Storage.StoreLocation"/>): a PostgreSQL URL or connection
    /// string; null = the settings' <c>store</c>, else SQLite in the data directory.
    /// </summary>
    public string? Store { get; init; }

    /// <summary>How often to check the store for changes made elsewhere. 2 s.</summary>
    public TimeSpan SnapshotPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How old the app token signing key may get before a new one replaces it (default 42 days,
    /// as Cloudflare Access); tokens the old key signed keep verifying until they expire.</summary>
    public TimeSpan SigningKeyRotationInterval { get; init; } = SigningKeyRing.DefaultRotationInterval;

    /// <summary>How often to look for a due rotation and for keys another edge of the cluster created. 30 s.</summary>
    public TimeSpan SigningKeyCheckInterval { get; init; } = TimeSpan.FromSeconds(30);
}
