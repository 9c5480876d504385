using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Drawbridge.Connector.Metrics;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Observability;
using Drawbridge.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>The connector's /ready and /metrics tell the truth: a wedged link is not ready (cloudflared#1300).</summary>
public sealed class ReadinessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 90_000)]
    public async Task Ready_IsTrueOnlyWhileALinkAnswersPings()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        await using var relay = new FreezableRelay(new IPEndPoint(IPAddress.Loopback, stack.Edge.Port));
        var tunnel = await stack.CreateTunnelAsync("watched", "watched.test");
        TimeSpan interval = TimeSpan.FromMilliseconds(300);
        ConnectorHandle connector = await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint), o => o with
        {
            HaConnections = 1,
            EdgeAddress = relay.EndPoint.ToString(),
            KeepAliveInterval = interval,
            KeepAliveTimeout = TimeSpan.FromSeconds(30), // far longer than the test: the link is wedged, not yet declared dead
        });
        await using MetricsServer metrics = await StartMetricsAsync(stack, connector);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{metrics.Address}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ready")).StatusCode);
        Assert.Equal("{\"readyLinks\":1}", await http.GetStringAsync("/ready"));

        relay.Freeze();
        var frozen = Stopwatch.StartNew();
        HttpStatusCode status = await PollReadyAsync(http, HttpStatusCode.ServiceUnavailable);
        TimeSpan noticed = frozen.Elapsed;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(noticed < TimeSpan.FromSeconds(10), $"noticed the wedge after {noticed.TotalSeconds:0.0} s");
        PrometheusText wedged = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal(0, wedged.Value("drawbridge_connector_links_ready"));
        Assert.Equal(1, wedged.Value("drawbridge_connector_links_registered"));

        relay.Thaw();
        Assert.Equal(HttpStatusCode.OK, await PollReadyAsync(http, HttpStatusCode.OK));
    }

    [Fact(Timeout = 90_000)]
    public async Task Metrics_CountStreamsAndBytes()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync();
        var tunnel = await stack.CreateTunnelAsync("counted", "counted.test");
        ConnectorHandle connector = await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        await using MetricsServer metrics = await StartMetricsAsync(stack, connector);
        var forwarder = stack.StartForwarder("counted.test", await stack.CreateServiceTokenAsync());

        using (TcpClient client = await forwarder.ConnectAsync())
        {
            await client.ExchangeAsync(new byte[1000], 2000, CancellationToken.None).WaitAsync(Limit);
        }

        await stack.Logs.WaitForAsync(l => l.Contains("Stream", StringComparison.Ordinal) && l.Contains("1000 bytes up", StringComparison.Ordinal), Limit);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{metrics.Address}") };
        PrometheusText text = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal("counter", text.TypeOf("drawbridge_connector_streams_total"));
        Assert.Equal(1, text.Value("drawbridge_connector_streams_total"));
        Assert.Equal(0, text.Value("drawbridge_connector_streams_open"));
        Assert.Equal(1000, text.Value("drawbridge_connector_bytes_total", ("direction", "up")));
        Assert.Equal(1000, text.Value("drawbridge_connector_bytes_total", ("direction", "down")));
        Assert.Equal(1, text.Value("drawbridge_connector_origin_dial_duration_seconds_count", ("outcome", "opened")));
        Assert.Equal(2, text.Value("drawbridge_connector_links_registered"));
    }

    private static Task<MetricsServer> StartMetricsAsync(DrawbridgeStack stack, ConnectorHandle connector) =>
        ConnectorMetricsListener.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), connector.Supervisor, stack.Logs.Configure, NullLogger.Instance, CancellationToken.None);

    /// <summary>Asks /ready the way a monitoring system does, until it answers <paramref name="wanted"/> (bounded).</summary>
    private static async Task<HttpStatusCode> PollReadyAsync(HttpClient http, HttpStatusCode wanted)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        HttpStatusCode status;
        do
        {
            status = (await http.GetAsync("/ready", deadline.Token)).StatusCode;
        }
        while (status != wanted && await timer.WaitForNextTickAsync(deadline.Token));

        return status;
    }
}
