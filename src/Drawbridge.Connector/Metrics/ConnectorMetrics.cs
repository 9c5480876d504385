using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Connector.Metrics;

/// <summary>The connector's counters, rendered in the Prometheus text format (version 0.0.4).</summary>
internal sealed class ConnectorMetrics
{
    private readonly ConcurrentDictionary<string, long> _refusals = new();
    private long _streamsTotal;
    private long _streamsOpen;
    private long _bytesUp;
    private long _bytesDown;
    private long _linkConnects;

    public Func<int> RegisteredLinks { get; set; } = () => 0;

    public Func<int> ReadyLinks { get; set; } = () => 0;

    public void StreamOpened()
    {
        Interlocked.Increment(ref _streamsTotal);
        Interlocked.Increment(ref _streamsOpen);
    }

    public void StreamClosed(long bytesUp, long bytesDown)
    {
        Interlocked.Decrement(ref _streamsOpen);
        Interlocked.Add(ref _bytesUp, bytesUp);
        Interlocked.Add(ref _bytesDown, bytesDown);
    }

    public void StreamRefused(ConnectionOutcome outcome) => _refusals.AddOrUpdate(outcome.WireName(), 1, (_, n) => n + 1);

    public void LinkConnected() => Interlocked.Increment(ref _linkConnects);

    public string Render()
    {
        var text = new StringBuilder();
        Gauge(text, "drawbridge_connector_links_registered", "Links to the edge that are registered.", RegisteredLinks());
        Gauge(text, "drawbridge_connector_links_ready", "Registered links that answer PINGs in time.", ReadyLinks());
        Counter(text, "drawbridge_connector_link_connects_total", "Links established, reconnections included.", Interlocked.Read(ref _linkConnects));
        Counter(text, "drawbridge_connector_streams_total", "Streams relayed to an origin.", Interlocked.Read(ref _streamsTotal));
        Gauge(text, "drawbridge_connector_streams_open", "Streams open now.", Interlocked.Read(ref _streamsOpen));
        Counter(text, "drawbridge_connector_bytes_up_total", "Bytes from clients to origins.", Interlocked.Read(ref _bytesUp));
        Counter(text, "drawbridge_connector_bytes_down_total", "Bytes from origins to clients.", Interlocked.Read(ref _bytesDown));
        text.Append("# HELP drawbridge_connector_streams_refused_total Streams refused, by outcome.\n# TYPE drawbridge_connector_streams_refused_total counter\n");
        foreach (var (outcome, count) in _refusals.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"drawbridge_connector_streams_refused_total{{outcome=\"{outcome}\"}} {count}\n");
        }

        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, long value) => Write(text, name, help, "gauge", value);

    private static void Counter(StringBuilder text, string name, string help, long value) => Write(text, name, help, "counter", value);

    private static void Write(StringBuilder text, string name, string help, string type, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value}\n");
}
