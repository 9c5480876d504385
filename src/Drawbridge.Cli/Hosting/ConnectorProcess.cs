using Drawbridge.Connector;
using Drawbridge.Connector.Metrics;
using Drawbridge.Connector.Supervision;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Cli.Hosting;

/// <summary>Runs a connector (and its metrics endpoint) until cancelled, then drains.</summary>
internal static class ConnectorProcess
{
    public static async Task<int> RunAsync(ConnectorOptions options, Action<ILoggingBuilder> logging, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(logging);
        using var supervisor = new ConnectorSupervisor(options, loggers, TimeProvider.System);
        MetricsServer? metrics = options.MetricsAddress is { } address
            ? await MetricsServer.StartAsync(address, supervisor, logging, cancellationToken)
            : null;
        try
        {
            await supervisor.RunAsync(cancellationToken);
            return 0;
        }
        finally
        {
            if (metrics is not null)
            {
                await metrics.DisposeAsync();
            }
        }
    }
}
