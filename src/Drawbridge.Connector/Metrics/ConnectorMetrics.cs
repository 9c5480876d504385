using System.Diagnostics.Metrics;
using Drawbridge.Observability;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Connector.Metrics;

/// <summary>
/// The connector's instruments on the <c>Drawbridge.Connector</c> meter, exported on
/// <c>--metrics</c> (docs/METRICS.md has the Prometheus names). Recording is an
/// <c>Add</c> with tags built once; bytes are added once per stream, when it ends.
/// </summary>
internal sealed class ConnectorMetrics : IDisposable
{
    public const string MeterName = "Drawbridge.Connector";

    /// <summary>Stream opening spans one origin dial: a LAN connect takes well under a millisecond,
    /// a far one hundreds, and the dial gives up at the origin connect timeout (10 s by default).</summary>
    internal static readonly IReadOnlyList<double> DialBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];


    private readonly Meter _meter = new(MeterName, typeof(ConnectorMetrics).Assembly.GetName().Version?.ToString());
    private readonly Counter<long> _linkConnects;
    private readonly Counter<long> _streams;
    private readonly UpDownCounter<long> _streamsOpen;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _dial;

    public ConnectorMetrics(Func<int> registeredLinks, Func<int> readyLinks)
    {
        RegisteredLinks = registeredLinks;
        ReadyLinks = readyLinks;
        _meter.CreateObservableGauge("drawbridge.connector.links.registered", registeredLinks, "{link}", "Links to the edge that are registered.");
        _meter.CreateObservableGauge("drawbridge.connector.links.ready", readyLinks, "{link}", "Registered links that answer PINGs in time.");
        _linkConnects = _meter.CreateCounter<long>("drawbridge.connector.link_connects", "{link}", "Links established, reconnections included.");
        _streams = _meter.CreateCounter<long>("drawbridge.connector.streams", "{stream}", "Streams relayed to an origin (counted when the origin answered).");
        _streamsOpen = _meter.CreateUpDownCounter<long>("drawbridge.connector.streams.open", "{stream}", "Streams open now.");
        _bytes = _meter.CreateCounter<long>("drawbridge.connector.bytes", "By", "Bytes relayed, by direction: up is client to origin; added when a stream ends.");
        _refused = _meter.CreateCounter<long>("drawbridge.connector.streams.refused", "{stream}", "Streams refused before relaying, by outcome.");
        _dial = _meter.CreateHistogram("drawbridge.connector.origin.dial.duration", "s", "Time to connect to the origin, by outcome (opened or why not).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DialBuckets });
    }

    /// <summary>The meter, for the listener that exports it.</summary>
    public Meter Meter => _meter;

    public Func<int> RegisteredLinks { get; }

    public Func<int> ReadyLinks { get; }

    public void LinkConnected() => _linkConnects.Add(1);

    public void OriginDialed(TimeSpan elapsed, ConnectionOutcome? refusal) =>
        _dial.Record(elapsed.TotalSeconds, refusal is { } outcome ? MetricTags.Outcome(outcome) : MetricTags.Opened);

    public void StreamOpened()
    {
        _streams.Add(1);
        _streamsOpen.Add(1);
    }

    public void StreamClosed(long bytesUp, long bytesDown)
    {
        _streamsOpen.Add(-1);
        _bytes.Add(bytesUp, MetricTags.Up);
        _bytes.Add(bytesDown, MetricTags.Down);
    }

    public void StreamRefused(ConnectionOutcome outcome) => _refused.Add(1, MetricTags.Outcome(outcome));

    public void Dispose() => _meter.Dispose();
}
