using System.Diagnostics.Metrics;
using System.Net;
using Drawbridge.Observability;
using Drawbridge.Testing;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Tests.Fixtures;

/// <summary>A meter served by a real <see cref="MetricsServer"/> on 127.0.0.1:0 and scraped over HTTP, as Prometheus does.</summary>
internal sealed class ScrapedMeter : IAsyncDisposable
{
    private readonly MetricsServer _server;

    private ScrapedMeter(MetricsServer server)
    {
        _server = server;
        Http = new HttpClient { BaseAddress = new Uri($"http://{server.Address}"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public HttpClient Http { get; }

    /// <summary>Starts the listener; only what is recorded after this is exported.</summary>
    public static async Task<ScrapedMeter> StartAsync(Meter meter, RequestDelegate? ready = null) =>
        new(await MetricsServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), meter, ready ?? (_ => Task.CompletedTask), _ => { }, CancellationToken.None));

    public async Task<PrometheusText> ScrapeAsync() => PrometheusText.Parse(await Http.GetStringAsync("/metrics"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.DisposeAsync();
    }
}
