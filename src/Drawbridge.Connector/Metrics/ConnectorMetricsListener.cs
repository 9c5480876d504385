using System.Globalization;
using System.Net;
using Drawbridge.Connector.Supervision;
using Drawbridge.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Connector.Metrics;

/// <summary><c>tunnel run --metrics IP:PORT</c>: the connector's meter on <c>/metrics</c> and its readiness on <c>/ready</c>.</summary>
internal static class ConnectorMetricsListener
{
    public static async Task<MetricsServer> StartAsync(IPEndPoint endpoint, ConnectorSupervisor supervisor, Action<ILoggingBuilder> configureLogging, ILogger logger, CancellationToken cancellationToken)
    {
        MetricsServer server = await MetricsServer.StartAsync(endpoint, supervisor.Metrics.Meter, context => ReadyAsync(context, supervisor.Metrics), configureLogging, cancellationToken);
        ConnectorLog.MetricsListening(logger, server.Address);
        return server;
    }

    /// <summary>Ready only while a link is registered AND answering PINGs (cloudflared#1300: a wedged link is not ready).</summary>
    private static Task ReadyAsync(HttpContext context, ConnectorMetrics metrics)
    {
        int ready = metrics.ReadyLinks();
        context.Response.StatusCode = ready > 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{{\"readyLinks\":{ready}}}"));
    }
}
