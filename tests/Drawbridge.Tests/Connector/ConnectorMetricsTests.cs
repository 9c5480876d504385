using System.Globalization;
using System.Text.RegularExpressions;
using Drawbridge.Connector.Metrics;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Tests.Connector;

/// <summary><see cref="ConnectorMetrics.Render"/> against the Prometheus text exposition format 0.0.4.</summary>
public sealed partial class ConnectorMetricsTests
{
    [GeneratedRegex(@"^# HELP (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\\n]|\\.)*""(?:,[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\\n]|\\.)*"")*\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    private sealed record Family(string Help, string Type, List<(string Labels, double Value)> Samples);

    /// <summary>Checks every line's grammar and that each sample follows its family's HELP and TYPE.</summary>
    private static Dictionary<string, Family> ParseExposition(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        string? help = null, current = null;
        foreach (string line in text[..^1].Split('\n'))
        {
            if (HelpLine().Match(line) is { Success: true } h)
            {
                Assert.False(families.ContainsKey(h.Groups["name"].Value), $"HELP for {h.Groups["name"].Value} appears twice");
                (help, current) = (line, h.Groups["name"].Value);
            }
            else if (TypeLine().Match(line) is { Success: true } t)
            {
                Assert.Equal(current, t.Groups["name"].Value);
                families.Add(current!, new Family(help!, t.Groups["type"].Value, []));
            }
            else if (SampleLine().Match(line) is { Success: true } s)
            {
                Assert.Equal(current, s.Groups["name"].Value);
                Assert.True(double.TryParse(s.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value), line);
                families[current!].Samples.Add((s.Groups["labels"].Value, value));
            }
            else
            {
                Assert.Fail($"not a line of the Prometheus text format: '{line}'");
            }
        }

        foreach (var (name, family) in families)
        {
            Assert.True(family.Type != "counter" || name.EndsWith("_total", StringComparison.Ordinal), $"counter {name} should end in _total");
        }

        return families;
    }

    private static double Value(Dictionary<string, Family> families, string name, string labels = "") =>
        Assert.Single(families[name].Samples, s => s.Labels == labels).Value;

    [Fact]
    public void Render_Fresh_IsValidWithEveryFamilyAtZero()
    {
        Dictionary<string, Family> families = ParseExposition(new ConnectorMetrics().Render());

        Assert.Equal(
            ["drawbridge_connector_bytes_down_total", "drawbridge_connector_bytes_up_total", "drawbridge_connector_link_connects_total",
             "drawbridge_connector_links_ready", "drawbridge_connector_links_registered", "drawbridge_connector_streams_open",
             "drawbridge_connector_streams_refused_total", "drawbridge_connector_streams_total"],
            families.Keys.Order(StringComparer.Ordinal));
        Assert.All(families.Where(f => f.Key != "drawbridge_connector_streams_refused_total"), f => Assert.Equal(0, Assert.Single(f.Value.Samples).Value));
        Assert.Empty(families["drawbridge_connector_streams_refused_total"].Samples);
        Assert.Equal("counter", families["drawbridge_connector_streams_total"].Type);
        Assert.Equal("gauge", families["drawbridge_connector_streams_open"].Type);
    }

    [Fact]
    public void Render_AfterStreams_CountsOpenedClosedAndBytes()
    {
        var metrics = new ConnectorMetrics();
        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamClosed(bytesUp: 100, bytesDown: 2_000);
        metrics.StreamClosed(bytesUp: 5_000_000_000, bytesDown: 1);
        metrics.LinkConnected();

        Dictionary<string, Family> families = ParseExposition(metrics.Render());

        Assert.Equal(3, Value(families, "drawbridge_connector_streams_total"));
        Assert.Equal(1, Value(families, "drawbridge_connector_streams_open"));
        Assert.Equal(5_000_000_100, Value(families, "drawbridge_connector_bytes_up_total"));
        Assert.Equal(2_001, Value(families, "drawbridge_connector_bytes_down_total"));
        Assert.Equal(1, Value(families, "drawbridge_connector_link_connects_total"));
    }

    [Fact]
    public void Render_AfterRefusals_CountsThemByOutcomeInNameOrder()
    {
        var metrics = new ConnectorMetrics();
        metrics.StreamRefused(ConnectionOutcome.OriginRefused);
        metrics.StreamRefused(ConnectionOutcome.NoIngressRule);
        metrics.StreamRefused(ConnectionOutcome.OriginRefused);

        string text = metrics.Render();
        Dictionary<string, Family> families = ParseExposition(text);

        Assert.Equal(
            [("{outcome=\"no_ingress_rule\"}", 1.0), ("{outcome=\"origin_refused\"}", 2.0)],
            families["drawbridge_connector_streams_refused_total"].Samples);
        Assert.Equal(0, Value(families, "drawbridge_connector_streams_total"));
    }

    [Fact]
    public void Render_ReadsTheLinkGaugesWhenRendered()
    {
        int registered = 2;
        var metrics = new ConnectorMetrics { RegisteredLinks = () => registered, ReadyLinks = () => 1 };
        Assert.Equal(2, Value(ParseExposition(metrics.Render()), "drawbridge_connector_links_registered"));

        registered = 4;
        Dictionary<string, Family> families = ParseExposition(metrics.Render());

        Assert.Equal(4, Value(families, "drawbridge_connector_links_registered"));
        Assert.Equal(1, Value(families, "drawbridge_connector_links_ready"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Counters_LoseNothingUnderConcurrentUpdates()
    {
        var metrics = new ConnectorMetrics();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                metrics.StreamOpened();
                metrics.StreamClosed(1, 2);
                metrics.StreamRefused(ConnectionOutcome.OriginTimeout);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(20));

        Dictionary<string, Family> families = ParseExposition(metrics.Render());
        Assert.Equal(80_000, Value(families, "drawbridge_connector_streams_total"));
        Assert.Equal(0, Value(families, "drawbridge_connector_streams_open"));
        Assert.Equal(160_000, Value(families, "drawbridge_connector_bytes_down_total"));
        Assert.Equal(80_000, Value(families, "drawbridge_connector_streams_refused_total", "{outcome=\"origin_timeout\"}"));
    }
}
