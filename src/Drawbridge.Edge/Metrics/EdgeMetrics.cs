using System.Diagnostics.Metrics;
using Drawbridge.Edge.Access;
using Drawbridge.Edge.Policies;
using Drawbridge.Observability;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Edge.Metrics;

/// <summary>
/// The edge's instruments on the <c>Drawbridge.Edge</c> meter, exported on <c>edge run --metrics</c>
/// (docs/METRICS.md has the Prometheus names and labels). Every label comes from a fixed set or
/// from the configured applications and identity providers: never a user, an address, a token or
/// a hostname a client made up. Recording is an <c>Add</c> with tags built once; bytes are added
/// once per stream, when it ends.
/// </summary>
internal sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "Drawbridge.Edge";

    /// <summary>Opening a stream spans a round trip to the connector and its dial to the origin:
    /// milliseconds on a LAN, hundreds over the world, up to the connector's origin connect timeout
    /// (10 s by default) when the origin does not answer.</summary>
    internal static readonly IReadOnlyList<double> OpenBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly KeyValuePair<string, object?> Allowed = new("decision", "allow");
    private static readonly KeyValuePair<string, object?> Denied = new("decision", "deny");
    private static readonly KeyValuePair<string, object?> NoPolicy = new("policy_action", "none");
    private static readonly KeyValuePair<string, object?>[] PolicyActions =
        [.. Enum.GetValues<PolicyAction>().Select(a => new KeyValuePair<string, object?>("policy_action", PolicyActionNames.ToName(a)))];

    private readonly Meter _meter = new(MeterName, typeof(EdgeMetrics).Assembly.GetName().Version?.ToString());
    private readonly UpDownCounter<long> _streamsOpen;
    private readonly Counter<long> _streams;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _open;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _decisions;

    public EdgeMetrics(Func<int> connectorLinks)
    {
        _meter.CreateObservableGauge("drawbridge.edge.connector.links", connectorLinks, "{link}", "Connector links registered with this edge.");
        _streamsOpen = _meter.CreateUpDownCounter<long>("drawbridge.edge.streams.open", "{stream}", "Client connections being relayed to a connector now.");
        _streams = _meter.CreateCounter<long>("drawbridge.edge.streams", "{stream}", "Streams opened to a connector that ended, by outcome.");
        _bytes = _meter.CreateCounter<long>("drawbridge.edge.bytes", "By", "Bytes relayed, by direction: up is client to origin; added when a stream ends.");
        _open = _meter.CreateHistogram("drawbridge.edge.stream.open.duration", "s",
            "From the client's request to the connector's answer: the origin connected (opened) or why not.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OpenBuckets });
        _refusals = _meter.CreateCounter<long>("drawbridge.edge.access.refusals", "{connection}", "Client connections refused before reaching a connector, by outcome and reason.");
        _signIns = _meter.CreateCounter<long>("drawbridge.edge.sign_ins", "{sign-in}", "Sign-ins, by method and outcome (signed_in or why not).");
        _decisions = _meter.CreateCounter<long>("drawbridge.edge.policy.decisions", "{decision}", "Policy decisions for connections and CLI sign-ins, by application, decision and deciding policy's action.");
    }

    /// <summary>The meter, for the listener that exports it.</summary>
    public Meter Meter => _meter;

    public void StreamOpened() => _streamsOpen.Add(1);

    /// <summary>The connector acknowledged the stream (<paramref name="refusal"/> null) or reset it first.</summary>
    public void StreamAnswered(TimeSpan elapsed, ConnectionOutcome? refusal) =>
        _open.Record(elapsed.TotalSeconds, refusal is { } outcome ? MetricTags.Outcome(outcome) : MetricTags.Opened);

    public void StreamEnded(ConnectionOutcome outcome, long bytesUp, long bytesDown)
    {
        _streamsOpen.Add(-1);
        _streams.Add(1, MetricTags.Outcome(outcome));
        _bytes.Add(bytesUp, MetricTags.Up);
        _bytes.Add(bytesDown, MetricTags.Down);
    }

    public void Refused(AccessRefusal refusal) =>
        _refusals.Add(1, MetricTags.Outcome(refusal.Outcome), new KeyValuePair<string, object?>("reason", refusal.Reason));

    /// <summary>A sign-in step finished; <paramref name="provider"/> is a configured identity provider's id, for <c>oidc</c>.</summary>
    public void SignIn(string method, string outcome, string? provider = null)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        if (provider is null)
        {
            _signIns.Add(1, methodTag, outcomeTag);
        }
        else
        {
            _signIns.Add(1, methodTag, outcomeTag, new KeyValuePair<string, object?>("provider", provider));
        }
    }

    /// <summary><paramref name="app"/> is the hostname of a configured application, or null (no application: no label).</summary>
    public void PolicyDecided(string? app, PolicyDecision decision)
    {
        KeyValuePair<string, object?> allowed = decision.Allowed ? Allowed : Denied;
        KeyValuePair<string, object?> action = decision.DecidedBy is { } policy ? PolicyActions[(int)policy.Action] : NoPolicy;
        if (app is null)
        {
            _decisions.Add(1, allowed, action);
        }
        else
        {
            _decisions.Add(1, allowed, action, new KeyValuePair<string, object?>("app", app));
        }
    }

    public void Dispose() => _meter.Dispose();
}
