using System.Net;
using Drawbridge.Connector.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Connector.Metrics;

/// <summary><c>--metrics IP:PORT</c>: <c>/metrics</c> (Prometheus) and <c>/ready</c>, plain HTTP on a local port.</summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<MetricsServer> StartAsync(string address, ConnectorSupervisor supervisor, Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken)
    {
        if (!IPEndPoint.TryParse(address, out IPEndPoint? endpoint) || !address.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"--metrics '{address}' is not IP:PORT (e.g. 127.0.0.1:2000)");
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        WebApplication app = builder.Build();
        app.MapGet("/metrics", () => Results.Text(supervisor.Metrics.Render(), "text/plain; version=0.0.4"));
        // Ready only while a link is registered AND answering PINGs (cloudflared#1300: a wedged link is not ready).
        app.MapGet("/ready", () =>
        {
            int ready = supervisor.Metrics.ReadyLinks();
            return Results.Json(new Dictionary<string, int> { ["readyLinks"] = ready },
                statusCode: ready > 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        await app.StartAsync(cancellationToken);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ConnectorLog.MetricsListening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<MetricsServer>(), new Uri(bound).Authority);
        return new MetricsServer(app, new Uri(bound).Authority);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
