using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Drawbridge.Observability;
using Drawbridge.Testing;
using Drawbridge.Tests.Fixtures;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Tests.Observability;

/// <summary>
/// The OpenTelemetry Prometheus exporter behind <c>--metrics</c>, scraped over real HTTP: the
/// names it makes of ours (units, <c>_total</c>), no scope label on every series, and only the
/// instruments of the meter it was given, not a same-named one elsewhere in the process.
/// </summary>
public sealed class MetricsServerTests
{
    private const int TestTimeout = 30_000;

    [Fact(Timeout = TestTimeout)]
    public async Task Scrape_NamesCountersGaugesAndHistogramsTheWayTheDocsSay()
    {
        using var meter = new Meter("Drawbridge.Test", "1.2.3");
        Counter<long> streams = meter.CreateCounter<long>("drawbridge.test.streams", "{stream}", "Streams.");
        Counter<long> bytes = meter.CreateCounter<long>("drawbridge.test.bytes", "By", "Bytes.");
        UpDownCounter<long> open = meter.CreateUpDownCounter<long>("drawbridge.test.streams.open", "{stream}", "Open.");
        Histogram<double> latency = meter.CreateHistogram("drawbridge.test.open.duration", "s", "Latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1] });
        meter.CreateObservableGauge("drawbridge.test.links", () => 3, "{link}", "Links.");
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(meter);

        streams.Add(2, new KeyValuePair<string, object?>("outcome", "closed"));
        bytes.Add(1000, new KeyValuePair<string, object?>("direction", "up"));
        open.Add(2);
        open.Add(-1);
        latency.Record(0.05);
        latency.Record(5);
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal("counter", text.TypeOf("drawbridge_test_streams_total"));
        Assert.Equal(2, text.Value("drawbridge_test_streams_total", ("outcome", "closed")));
        Assert.Equal(1000, text.Value("drawbridge_test_bytes_total", ("direction", "up")));
        Assert.Equal("gauge", text.TypeOf("drawbridge_test_streams_open"));
        Assert.Equal(1, text.Value("drawbridge_test_streams_open"));
        Assert.Equal(3, text.Value("drawbridge_test_links"));
        Assert.Equal("histogram", text.TypeOf("drawbridge_test_open_duration_seconds"));
        Assert.Equal(2, text.Value("drawbridge_test_open_duration_seconds_count"));
        Assert.Equal(5.05, text.Value("drawbridge_test_open_duration_seconds_sum"), 6);
        Assert.Equal(0, text.Value("drawbridge_test_open_duration_seconds_bucket", ("le", "0.01")));
        Assert.Equal(1, text.Value("drawbridge_test_open_duration_seconds_bucket", ("le", "0.1")));
        Assert.Equal(1, text.Value("drawbridge_test_open_duration_seconds_bucket", ("le", "1")));
        Assert.Equal(2, text.Value("drawbridge_test_open_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal("Streams.", text.Families["drawbridge_test_streams_total"].Help);
        // No otel_scope_name on the series; the program is named once, in target_info.
        Assert.DoesNotContain(text.Families.Values.SelectMany(f => f.Samples), s => s.Labels.Keys.Any(k => k.StartsWith("otel_scope", StringComparison.Ordinal)));
        Assert.Equal(1, text.Sum("target_info", ("service_name", "drawbridge-test"), ("service_version", "1.2.3")));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Scrape_ExportsOnlyItsOwnMeter_NotASameNamedOneInTheProcess()
    {
        using var mine = new Meter("Drawbridge.Twin");
        using var other = new Meter("Drawbridge.Twin");
        Counter<long> counted = mine.CreateCounter<long>("drawbridge.twin.events");
        Counter<long> elsewhere = other.CreateCounter<long>("drawbridge.twin.events");
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(mine);

        counted.Add(1);
        elsewhere.Add(100);

        Assert.Equal(1, (await scraped.ScrapeAsync()).Value("drawbridge_twin_events_total"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EveryScrape_ReadsTheInstrumentsAfresh()
    {
        using var meter = new Meter("Drawbridge.Fresh");
        int links = 1;
        meter.CreateObservableGauge("drawbridge.fresh.links", () => links);
        Counter<long> events = meter.CreateCounter<long>("drawbridge.fresh.events");
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(meter);

        events.Add(1);
        PrometheusText first = await scraped.ScrapeAsync();
        links = 4;
        events.Add(1);
        PrometheusText second = await scraped.ScrapeAsync();

        Assert.Equal((1, 1), (first.Value("drawbridge_fresh_links"), first.Value("drawbridge_fresh_events_total")));
        Assert.Equal((4, 2), (second.Value("drawbridge_fresh_links"), second.Value("drawbridge_fresh_events_total")));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Ready_AnswersAsItsOwnerDecides_AndOtherPathsAreNotFound()
    {
        using var meter = new Meter("Drawbridge.Ready");
        bool ready = false;
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(meter, context =>
        {
            context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await scraped.Http.GetAsync("/ready")).StatusCode);
        ready = true;
        Assert.Equal(HttpStatusCode.OK, (await scraped.Http.GetAsync("/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraped.Http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraped.Http.GetAsync("/admin")).StatusCode);
        using HttpResponseMessage metrics = await scraped.Http.GetAsync("/metrics");
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.False(metrics.Headers.Contains("Server"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task APortInUse_FailsToStart()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        using var meter = new Meter("Drawbridge.Taken");

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => MetricsServer.StartAsync(
            (IPEndPoint)taken.LocalEndpoint, meter, _ => Task.CompletedTask, _ => { }, CancellationToken.None));

        Assert.Contains("address already in use", ex.Message, StringComparison.Ordinal);
    }
}
