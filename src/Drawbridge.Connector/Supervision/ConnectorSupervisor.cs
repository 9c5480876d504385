using Drawbridge.Connector.Metrics;
using Drawbridge.Connector.Origins;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Connector.Supervision;

/// <summary>
/// <c>drawbridge tunnel run</c>: keeps <c>--ha-connections</c> links to the edge, relays their
/// streams, reports readiness, and on stop drains: no new streams, open ones get the grace period.
/// </summary>
internal sealed class ConnectorSupervisor : IDisposable
{
    private readonly ConnectorOptions _options;
    private readonly ILogger _logger;
    private readonly EdgeWebSocketDialer _dialer;
    private readonly List<EdgeLinkRunner> _runners = [];
    private readonly TaskCompletionSource _firstRegistration = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _fatal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConnectorSupervisor(ConnectorOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _logger = loggers.CreateLogger<ConnectorSupervisor>();
        EdgeEndpoint edge = options.ResolveEdge();
        // One TCP connection per link (HTTP/1.1), so links fail independently; HTTP/2 would put
        // all of them on one connection.
        _dialer = new EdgeWebSocketDialer(edge, new EdgeDialerOptions
        {
            CaCertificatePem = options.Credential.CaCertificatePem,
            Proxy = options.Proxy,
            PreferHttp2 = false,
        });
        KeyValuePair<string, string>[] common =
        [
            new("Authorization", options.Credential.AuthorizationHeaderValue),
            new(WireNames.ConnectorIdHeader, ConnectorId.ToString("N")),
            new(WireNames.ConnectorVersionHeader, typeof(ConnectorSupervisor).Assembly.GetName().Version?.ToString() ?? "0"),
        ];
        Metrics = new ConnectorMetrics(
            registeredLinks: () => _runners.Count(r => r.Current is { IsOpen: true }),
            readyLinks: () => _runners.Count(r => r.IsReady));
        var relay = new OriginRelay(options.Ingress, options.OriginConnectTimeout, Metrics, time, loggers.CreateLogger<OriginRelay>());
        for (int i = 0; i < options.HaConnections; i++)
        {
            KeyValuePair<string, string>[] headers = [.. common, new(WireNames.LinkIndexHeader, i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            _runners.Add(new EdgeLinkRunner(i, options, _dialer, headers, relay, Streams, this, time, _logger));
        }
    }

    public Guid ConnectorId { get; } = Guid.NewGuid();

    public ConnectorMetrics Metrics { get; }

    public RelayTracker Streams { get; } = new();

    /// <summary>Completes when the first link is registered (systemd READY, tests).</summary>
    public Task FirstRegistration => _firstRegistration.Task;

    /// <summary>At least one link registered and answering PINGs.</summary>
    public bool IsReady => _runners.Any(r => r.IsReady);

    /// <summary>Runs until <paramref name="stop"/> (then drains) or until the edge refuses the credential (throws).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        ConnectorLog.Starting(_logger, _options.Credential.TunnelName, _options.Credential.TunnelId, _options.HaConnections,
            $"{_dialer.Endpoint.Hostname} via {_dialer.Endpoint.ConnectHost}:{_dialer.Endpoint.ConnectPort}", ConnectorId);
        using var links = new CancellationTokenSource();
        Task[] running = [.. _runners.Select(r => r.RunAsync(links.Token))];
        await ((Task)Task.WhenAny(_fatal.Task, Task.Delay(Timeout.Infinite, stop))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Drain: the edge stops opening streams on our links; open streams get the grace period.
        foreach (EdgeLinkRunner runner in _runners)
        {
            runner.GoAway("the connector is shutting down");
        }

        if (!_fatal.Task.IsCompleted)
        {
            ConnectorLog.Draining(_logger, _options.GracePeriod.TotalSeconds, Streams.Open);
            await Streams.WhenIdle().WaitAsync(_options.GracePeriod, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await links.CancelAsync();
        await Task.WhenAll(running);
        if (_fatal.Task.IsCompleted)
        {
            await _fatal.Task; // rethrows the credential refusal
        }
    }

    internal void LinkRegistered()
    {
        Metrics.LinkConnected();
        _firstRegistration.TrySetResult();
    }

    internal void Fail(EdgeDialException refusal)
    {
        ConnectorLog.CredentialRefused(_logger, refusal.Message);
        _fatal.TrySetException(refusal);
    }

    public void Dispose()
    {
        _dialer.Dispose();
        Metrics.Dispose();
    }
}
