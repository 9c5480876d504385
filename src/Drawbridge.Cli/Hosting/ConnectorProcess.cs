using Drawbridge.Cli.Systemd;
using Drawbridge.Connector;
using Drawbridge.Connector.Metrics;
using Drawbridge.Connector.Supervision;
using Drawbridge.Observability;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Cli.Hosting;

/// <summary>Runs a connector (and its metrics endpoint) until cancelled, then drains; tells systemd when it is ready.</summary>
internal static class ConnectorProcess
{
    public static async Task<int> RunAsync(ConnectorOptions options, Action<ILoggingBuilder> logging, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(logging);
        using var supervisor = new ConnectorSupervisor(options, loggers, TimeProvider.System);
        MetricsServer? metrics = options.MetricsEndpoint is { } endpoint
            ? await ConnectorMetricsListener.StartAsync(endpoint, supervisor, logging, loggers.CreateLogger<ConnectorSupervisor>(), cancellationToken)
            : null;
        using SystemdNotifier? systemd = SystemdNotifier.FromEnvironment();
        // Ends the conversation with systemd on SIGTERM, and also when the connector gives up (refused credential).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // READY only once the edge can route to us: a unit ordered After= this one may use the tunnel at once.
        Task notifying = systemd?.RunAsync(supervisor.FirstRegistration, () => LinkStatus(supervisor), stopping.Token) ?? Task.CompletedTask;
        try
        {
            await supervisor.RunAsync(cancellationToken);
            return 0;
        }
        finally
        {
            await stopping.CancelAsync();
            await notifying;
            if (metrics is not null)
            {
                await metrics.DisposeAsync();
            }
        }
    }

    private static string LinkStatus(ConnectorSupervisor supervisor)
    {
        int links = supervisor.Metrics.RegisteredLinks();
        return links == 1 ? "1 link registered with the edge" : $"{links} links registered with the edge";
    }
}
