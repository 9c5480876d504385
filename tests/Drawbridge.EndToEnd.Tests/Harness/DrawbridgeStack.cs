using System.Net;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.Connector;
using Drawbridge.Connector.Ingress;
using Drawbridge.Connector.Supervision;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Storage;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>
/// A real edge (Kestrel, TLS, SQLite in a temp data directory) on 127.0.0.1, plus helpers that
/// provision tunnels, routes and service tokens and start real connectors and client forwarders
/// in the test process. Each test gets its own stack.
/// </summary>
internal sealed class DrawbridgeStack : IAsyncDisposable
{
    public const string EdgeHostname = "edge.test";

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ILoggerFactory _loggers;
    private readonly bool _metrics;
    private readonly Func<EdgeRunOptions, EdgeRunOptions>? _run;

    private DrawbridgeStack(TempDirectory data, EdgeHost edge, AdminCredential admin, CapturedLogs logs, bool metrics, Func<EdgeRunOptions, EdgeRunOptions>? run)
    {
        _metrics = metrics;
        _run = run;
        Data = data;
        Edge = edge;
        Admin = admin;
        Logs = logs;
        _loggers = LoggerFactory.Create(logs.Configure);
    }

    public TempDirectory Data { get; }

    public EdgeHost Edge { get; private set; }

    public AdminCredential Admin { get; }

    public CapturedLogs Logs { get; }

    public string EdgeAddress => $"127.0.0.1:{Edge.Port}";

    public string CaPem => Edge.Runtime.CaCertificatePem!;

    public string CaPath => Path.Combine(Data.Path, "ca.pem");

    /// <param name="metrics">Also serve the edge's <c>--metrics</c> listener on 127.0.0.1:0 (<see cref="EdgeHost.MetricsAddress"/>).</param>
    /// <param name="run">Changes to the edge's run options (limits the tests exercise).</param>
    public static async Task<DrawbridgeStack> StartAsync(int port = 0, Func<EdgeSettings, EdgeSettings>? configure = null, bool metrics = false, Func<EdgeRunOptions, EdgeRunOptions>? run = null)
    {
        var data = TempDirectory.Create("drawbridge-stack-");
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(logs.Configure);
        AdminCredential admin = await EdgeInitializer.InitializeAsync(
            new EdgeInitOptions { DataDirectory = data.Path, Hostname = EdgeHostname, PublicPort = 0 },
            TimeProvider.System, loggers.CreateLogger("init"), CancellationToken.None);
        if (configure is not null)
        {
            // Settings the operator would put in edge.json (identity providers, SMTP) before `edge run`.
            string settingsPath = new EdgeDataDirectory(data.Path).Settings;
            configure(EdgeSettings.Load(settingsPath)).Save(settingsPath);
        }

        EdgeHost edge = await StartEdgeAsync(data.Path, port, logs, metrics, run);
        return new DrawbridgeStack(data, edge, admin, logs, metrics, run);
    }

    private static Task<EdgeHost> StartEdgeAsync(string dataDirectory, int port, CapturedLogs logs, bool metrics, Func<EdgeRunOptions, EdgeRunOptions>? run)
    {
        var options = new EdgeRunOptions
        {
            DataDirectory = dataDirectory,
            Listen = $"127.0.0.1:{port}",
            GracePeriod = TimeSpan.FromSeconds(5),
            MetricsEndpoint = metrics ? new IPEndPoint(IPAddress.Loopback, 0) : null,
        };
        return EdgeHost.StartAsync(run?.Invoke(options) ?? options, logs.Configure, TimeProvider.System, CancellationToken.None);
    }

    /// <summary>Stops the edge (gracefully) and starts a new one on the same port and data.</summary>
    public async Task RestartEdgeAsync()
    {
        int port = Edge.Port;
        await Edge.DisposeAsync();
        Edge = await StartEdgeAsync(Data.Path, port, Logs, _metrics, _run);
    }

    public async Task<TunnelCredential> CreateTunnelAsync(string name, params string[] hostnames)
    {
        IEdgeStore store = Edge.State.Store;
        byte[] secret = SecretHash.NewSecret();
        Drawbridge.Edge.Storage.Tunnel tunnel = await store.CreateTunnelAsync(name, SecretHash.Hash(secret), CancellationToken.None);
        foreach (string hostname in hostnames)
        {
            await store.AddRouteAsync(hostname, tunnel.Id, CancellationToken.None);
        }

        await Edge.State.RefreshAsync(CancellationToken.None);
        return new TunnelCredential(tunnel.Id, tunnel.Name, secret, Edge.Runtime.Settings.PublicUrl, CaPem);
    }

    public async Task<ServiceTokenPair> CreateServiceTokenAsync(string name = "test")
    {
        byte[] secret = SecretHash.NewSecret();
        ServiceToken token = await Edge.State.Store.CreateServiceTokenAsync(name, SecretHash.Hash(secret), CancellationToken.None);
        await Edge.State.RefreshAsync(CancellationToken.None);
        return new ServiceTokenPair(token.Id, token.ClientId, SecretHash.ToHexSecret(secret));
    }

    /// <summary>Starts a connector and waits until all its links are registered at the edge.</summary>
    public async Task<ConnectorHandle> StartConnectorAsync(TunnelCredential credential, IngressRules ingress, Func<ConnectorOptions, ConnectorOptions>? tweak = null)
    {
        var options = new ConnectorOptions
        {
            Credential = credential,
            Ingress = ingress,
            EdgeAddress = EdgeAddress,
            HaConnections = 2,
            GracePeriod = TimeSpan.FromSeconds(5),
        };
        options = tweak?.Invoke(options) ?? options;
        var supervisor = new ConnectorSupervisor(options, _loggers, TimeProvider.System);
        var stop = new CancellationTokenSource();
        Task running = supervisor.RunAsync(stop.Token);
        var handle = new ConnectorHandle(supervisor, running, stop);
        _owned.Add(handle);
        await WaitForLinksAsync(credential.TunnelId, options.HaConnections, running);
        // The edge lists a link before the connector has its first PONG (EdgeLinkRunner.ConfirmAsync).
        await Task.WhenAny(supervisor.FirstRegistration, running).WaitAsync(TimeSpan.FromSeconds(30));
        return handle;
    }

    /// <summary>Waits until the edge has <paramref name="count"/> open links for the tunnel (no sleeps: polls the registry as links arrive).</summary>
    public async Task WaitForLinksAsync(Guid tunnelId, int count, Task? connector = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task changed = Edge.Registry.WhenChanged();
        while (Edge.Registry.LinksOf(tunnelId).Count(l => l.Session.IsOpen) < count)
        {
            if (connector is { IsCompleted: true })
            {
                await connector; // surfaces why it stopped
                throw new InvalidOperationException("the connector stopped before registering");
            }

            await Task.WhenAny(changed, connector ?? Task.Delay(Timeout.Infinite, deadline.Token)).WaitAsync(deadline.Token);
            changed = Edge.Registry.WhenChanged();
        }
    }

    public static IngressRules To(IPEndPoint origin) => IngressRules.Single(IngressService.Parse($"tcp://{origin}"));

    public static IngressRules To(int port) => IngressRules.Single(IngressService.Parse($"tcp://127.0.0.1:{port}"));

    /// <param name="webSocketPerConnection">Each connection on a WebSocket of its own (SPEC.md §1) instead of a stream on the client's link (§8).</param>
    public ForwarderHandle StartForwarder(string hostname, ServiceTokenPair? token, bool http2 = true, ProxySettings? proxy = null, bool webSocketPerConnection = false)
    {
        var dialer = new AccessDialer(new AccessOptions
        {
            Hostname = hostname,
            EdgeAddress = EdgeAddress,
            CaCertificatePem = CaPem,
            ServiceTokenId = token?.ClientId,
            ServiceTokenSecret = token?.Secret,
            PreferHttp2 = http2,
            Proxy = proxy,
            WebSocketPerConnection = webSocketPerConnection,
        });
        var raw = new StringWriter();
        TextWriter messages = TextWriter.Synchronized(raw);
        var forwarder = new LocalForwarder(dialer, new IPEndPoint(IPAddress.Loopback, 0), messages);
        var stop = new CancellationTokenSource();
        Task running = forwarder.RunAsync(stop.Token);
        var handle = new ForwarderHandle(forwarder, dialer, raw, messages, running, stop);
        _owned.Add(handle);
        return handle;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            for (int i = _owned.Count - 1; i >= 0; i--)
            {
                await _owned[i].DisposeAsync();
            }
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} while stopping; the log was:\n{string.Join('\n', Logs.Lines)}", ex);
        }

        await Edge.DisposeAsync();
        _loggers.Dispose();
        Data.Dispose();
    }
}
