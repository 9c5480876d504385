using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Drawbridge.Observability;

/// <summary>
/// The listener of <c>--metrics IP:PORT</c>, plain HTTP on a local address and never the public
/// port (as cloudflared's <c>--metrics</c>): <c>/metrics</c> serves one <see cref="Meter"/> in the
/// Prometheus text format through the OpenTelemetry SDK and its Prometheus exporter, and
/// <c>/ready</c> answers as its owner decides. docs/METRICS.md lists what is exported.
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound <c>IP:PORT</c> (the chosen port when asked for port 0).</summary>
    public string Address { get; }

    /// <summary>Starts the listener. Measurements are exported from now on: instruments keep no history of their own.</summary>
    public static async Task<MetricsServer> StartAsync(IPEndPoint endpoint, Meter meter, RequestDelegate ready, Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebHosts.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint);
        });
        builder.Services.AddOpenTelemetry()
            // target_info then says which program this is: service_name="drawbridge-edge" or "drawbridge-connector".
            .ConfigureResource(resource => resource.AddService(meter.Name.ToLowerInvariant().Replace('.', '-'), serviceVersion: meter.Version, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics => metrics
                .AddMeter(meter.Name)
                // Meters are process-wide and subscribed to by name: export this owner's instruments
                // only, not those of another edge or connector in the same process (the tests run several).
                .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
                .AddPrometheusExporter(prometheus =>
                {
                    // The metric names already say which program they come from; no otel_scope_* label on every series.
                    prometheus.ScopeInfoEnabled = false;
                    // Every scrape reads the instruments afresh: Prometheus scrapes every few seconds at most.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
        WebApplication app = builder.Build();
        app.MapPrometheusScrapingEndpoint();
        app.MapGet("/ready", ready);
        await app.StartAsync(cancellationToken);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsServer(app, new Uri(bound).Authority);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
