using Drawbridge.Connector.Metrics;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Testing;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Connector;

/// <summary><see cref="ConnectorMetrics"/> as Prometheus scrapes it from <c>tunnel run --metrics</c> (docs/METRICS.md).</summary>
public sealed class ConnectorMetricsTests
{
    private const int TestTimeout = 30_000;

    [Fact(Timeout = TestTimeout)]
    public async Task OneOfEach_ExportsExactlyTheDocumentedNamesAndTypes()
    {
        using var metrics = new ConnectorMetrics(() => 2, () => 2);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.LinkConnected();
        metrics.OriginDialed(TimeSpan.FromMilliseconds(2), refusal: null);
        metrics.StreamOpened();
        metrics.StreamClosed(10, 20);
        metrics.OriginDialed(TimeSpan.FromMilliseconds(1), ConnectionOutcome.OriginRefused);
        metrics.StreamRefused(ConnectionOutcome.OriginRefused);
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(
            [
                ("drawbridge_connector_bytes_total", "counter"),
                ("drawbridge_connector_link_connects_total", "counter"),
                ("drawbridge_connector_links_ready", "gauge"),
                ("drawbridge_connector_links_registered", "gauge"),
                ("drawbridge_connector_origin_dial_duration_seconds", "histogram"),
                ("drawbridge_connector_streams_open", "gauge"),
                ("drawbridge_connector_streams_refused_total", "counter"),
                ("drawbridge_connector_streams_total", "counter"),
                ("target_info", "gauge"),
            ],
            text.Families.Values.Select(f => (f.Name, f.Type)).Order());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Streams_CountOpenedClosedAndBytesEachWay()
    {
        using var metrics = new ConnectorMetrics(() => 0, () => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamClosed(bytesUp: 100, bytesDown: 2_000);
        metrics.StreamClosed(bytesUp: 5_000_000_000, bytesDown: 1);
        metrics.LinkConnected();
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(3, text.Value("drawbridge_connector_streams_total"));
        Assert.Equal(1, text.Value("drawbridge_connector_streams_open"));
        Assert.Equal(5_000_000_100, text.Value("drawbridge_connector_bytes_total", ("direction", "up")));
        Assert.Equal(2_001, text.Value("drawbridge_connector_bytes_total", ("direction", "down")));
        Assert.Equal(1, text.Value("drawbridge_connector_link_connects_total"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Refusals_AreCountedByOutcome()
    {
        using var metrics = new ConnectorMetrics(() => 0, () => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.StreamRefused(ConnectionOutcome.OriginRefused);
        metrics.StreamRefused(ConnectionOutcome.NoIngressRule);
        metrics.StreamRefused(ConnectionOutcome.OriginRefused);
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(
            [("no_ingress_rule", 1.0), ("origin_refused", 2.0)],
            text.All("drawbridge_connector_streams_refused_total").Select(s => (s.Labels["outcome"], s.Value)).Order());
        Assert.False(text.Families.ContainsKey("drawbridge_connector_streams_total"), "a refused stream is not a relayed one");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task OriginDial_IsTimedInSecondsByOutcome()
    {
        using var metrics = new ConnectorMetrics(() => 0, () => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.OriginDialed(TimeSpan.FromMilliseconds(3), refusal: null);
        metrics.OriginDialed(TimeSpan.FromMilliseconds(40), refusal: null);
        metrics.OriginDialed(TimeSpan.FromSeconds(10), ConnectionOutcome.OriginTimeout);
        PrometheusText text = await scraped.ScrapeAsync();

        const string Name = "drawbridge_connector_origin_dial_duration_seconds";
        Assert.Equal(2, text.Value(Name + "_count", ("outcome", "opened")));
        Assert.Equal(0.043, text.Value(Name + "_sum", ("outcome", "opened")), 9);
        Assert.Equal(1, text.Value(Name + "_bucket", ("outcome", "opened"), ("le", "0.005")));
        Assert.Equal(2, text.Value(Name + "_bucket", ("outcome", "opened"), ("le", "0.05")));
        Assert.Equal(1, text.Value(Name + "_count", ("outcome", "origin_timeout")));
        Assert.Equal(0, text.Value(Name + "_bucket", ("outcome", "origin_timeout"), ("le", "5")));
        Assert.Equal(1, text.Value(Name + "_bucket", ("outcome", "origin_timeout"), ("le", "10")));
        Assert.Equal(ConnectorMetrics.DialBuckets.Count + 1, text.All(Name + "_bucket").Count(s => s.Labels["outcome"] == "opened"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task LinkGauges_AreReadAtEachScrape()
    {
        int registered = 2;
        using var metrics = new ConnectorMetrics(() => registered, () => 1);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);
        Assert.Equal(2, (await scraped.ScrapeAsync()).Value("drawbridge_connector_links_registered"));

        registered = 4;
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(4, text.Value("drawbridge_connector_links_registered"));
        Assert.Equal(1, text.Value("drawbridge_connector_links_ready"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Counters_LoseNothingUnderConcurrentUpdates()
    {
        using var metrics = new ConnectorMetrics(() => 0, () => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                metrics.StreamOpened();
                metrics.StreamClosed(1, 2);
                metrics.StreamRefused(ConnectionOutcome.OriginTimeout);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(20));
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(80_000, text.Value("drawbridge_connector_streams_total"));
        Assert.Equal(0, text.Value("drawbridge_connector_streams_open"));
        Assert.Equal(80_000, text.Value("drawbridge_connector_bytes_total", ("direction", "up")));
        Assert.Equal(160_000, text.Value("drawbridge_connector_bytes_total", ("direction", "down")));
        Assert.Equal(80_000, text.Value("drawbridge_connector_streams_refused_total", ("outcome", "origin_timeout")));
    }
}
