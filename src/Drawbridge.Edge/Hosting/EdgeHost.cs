using System.Net;
using Drawbridge.Edge.Access;
using Drawbridge.Edge.Admin;
using Drawbridge.Edge.Certificates;
using Drawbridge.Edge.Connectors;
using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Metrics;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Edge.Tokens;
using Drawbridge.Observability;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Hosting;

/// <summary>
/// <c>drawbridge edge run</c>: one HTTPS port (HTTP/1.1 and HTTP/2) carrying connector links,
/// client connections (routed by Host) and the admin API.
/// </summary>
internal sealed class EdgeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IEdgeStore _store;
    private readonly EdgeCertificates _certificates;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _poll;
    private readonly EdgeMetrics _metrics;
    private readonly MetricsServer? _metricsServer;
    private int _stopped;

    private EdgeHost(WebApplication app, IEdgeStore store, EdgeCertificates certificates, EdgeRuntime runtime, ConnectorRegistry registry, EdgeState state, OpenConnections connections, AppTokens tokens, int port,
        EdgeMetrics metrics, MetricsServer? metricsServer, TimeProvider time)
    {
        _metrics = metrics;
        _metricsServer = metricsServer;
        Connections = connections;
        Tokens = tokens;
        _app = app;
        _store = store;
        _certificates = certificates;
        Runtime = runtime;
        Registry = registry;
        State = state;
        Port = port;
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<EdgeHost>();
        _poll = Task.WhenAll(
            state.PollAsync(runtime.Options.SnapshotPollInterval, time, logger, _stopping.Token),
            LiveEnforcement.RunExpiryLoopAsync(connections, time, logger, _stopping.Token),
            tokens.RunRotationLoopAsync(store, runtime.Options.SigningKeyRotationInterval, runtime.Options.SigningKeyCheckInterval, logger, _stopping.Token));
    }

    /// <summary>Waits until the connection records queued so far are in the store (they are written in batches).</summary>
    public Task FlushAuditAsync(CancellationToken cancellationToken) => _app.Services.GetRequiredService<Audit.AuditLog>().FlushAsync(cancellationToken);

    /// <summary>The edge's services (tests look at what Kestrel was given).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>The app tokens this edge issues and accepts (its signing key ring).</summary>
    public AppTokens Tokens { get; }

    /// <summary>Open client connections, for live enforcement and <c>session list</c>.</summary>
    public OpenConnections Connections { get; }

    public int Port { get; }

    public EdgeRuntime Runtime { get; }

    public ConnectorRegistry Registry { get; }

    public EdgeState State { get; }

    /// <summary>The bound <c>IP:PORT</c> of <c>--metrics</c>; null when off.</summary>
    public string? MetricsAddress => _metricsServer?.Address;

    public static async Task<EdgeHost> StartAsync(EdgeRunOptions options, Action<ILoggingBuilder> configureLogging, TimeProvider time, CancellationToken cancellationToken)
    {
        var data = new EdgeDataDirectory(Path.GetFullPath(options.DataDirectory));
        EdgeSettings settings = EdgeSettings.Load(data.Settings);
        IPEndPoint listen = ParseListen(options.Listen);
        StoreLocation storeLocation = StoreLocation.Resolve(options.Store ?? settings.Store, data.Database);

        // 1. State: the store (migrated at open) and the first snapshot of it.
        using var bootLogging = LoggerFactory.Create(configureLogging);
        IEdgeStore store = await storeLocation.OpenAsync(time, bootLogging.CreateLogger<SqlEdgeStore>(), cancellationToken);
        var state = new EdgeState(store);
        await state.RefreshAsync(cancellationToken);

        // 2. Certificates: the operator's, or one per served name from the edge's CA.
        EdgeCertificates certificates = options.CertificatePath is not null && options.KeyPath is not null
            ? EdgeCertificates.FromOperator(CertificatePemFiles.LoadServerCertificate(options.CertificatePath, options.KeyPath).Certificate)
            : EdgeCertificates.FromAuthority(EdgeCertificateAuthority.Load(data.CaCertificate, data.CaKey, time), settings.Hostname,
                name => name.Equals(settings.Hostname, StringComparison.OrdinalIgnoreCase) || state.Current.Routes.ContainsKey(name));
        var runtime = new EdgeRuntime(options, settings) { CaCertificatePem = certificates.CaCertificatePem };
        AppTokens tokens = await AppTokens.LoadAsync(store, () => runtime.Settings.PublicUrl, time, cancellationToken);
        await tokens.RefreshAsync(store, options.SigningKeyRotationInterval, cancellationToken); // a key that aged while the edge was down
        var registry = new ConnectorRegistry();
        var metrics = new EdgeMetrics(() => registry.Count);

        // 3. Kestrel: one port, TLS, HTTP/1.1 and HTTP/2 (for RFC 8441 WebSockets).
        WebApplicationBuilder builder = WebHosts.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = AdminRequestBody.MaxBytes;
            // Many client connections share one HTTP/2 connection; give them room and big windows.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            // One PING per idle HTTP/2 connection finds a client that vanished (laptop closed, NAT
            // state gone) and ends all its streams; their WebSockets keep no timers of their own.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(60);
            kestrel.Listen(listen, endpoint =>
            {
                endpoint.Protocols = HttpProtocols.Http1AndHttp2;
                endpoint.UseHttps(https =>
                {
                    https.ServerCertificateSelector = (_, name) => certificates.Select(name);
                    https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = TlsCipherPreference.Preferred;
                });
            });
        });
        // Kestrel's sockets and TLS take their buffers from here: 64 KiB blocks, not 4 KiB.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, TransportMemoryPoolFactory>();

        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(tokens);
        builder.Services.AddSingleton<Audit.AuditLog>();
        builder.Services.AddSingleton<IReadOnlyDictionary<string, OidcProvider>>(sp =>
        {
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) }; // an identity provider under load may be slow; a user waits anyway
            return settings.IdentityProviders.ToDictionary(p => p.Id, p => new OidcProvider(p, http, time));
        });
        builder.Services.AddSingleton<IPinSender>(sp => settings.Smtp is { } smtp
            ? new SmtpPinSender(smtp, settings.Hostname)
            : new ConsolePinSender(sp.GetRequiredService<ILogger<ConsolePinSender>>()));
        builder.Services.AddSingleton<SignInServices>();
        builder.Services.AddSingleton<AccessEndpoint>();
        builder.Services.AddSingleton<ClientLinkEndpoint>();
        var connections = new OpenConnections();
        builder.Services.AddSingleton(connections);
        builder.Services.AddSingleton<ConnectorEndpoint>();

        WebApplication app = builder.Build();
        app.UseWebSockets();
        AccessEndpoint access = app.Services.GetRequiredService<AccessEndpoint>();
        ClientLinkEndpoint clientLinks = app.Services.GetRequiredService<ClientLinkEndpoint>();
        app.Use(async (context, next) =>
        {
            // Client connections are routed by Host (SPEC.md §1); the edge's own name serves the rest.
            string host = context.Request.Host.Host.TrimEnd('.').ToLowerInvariant();
            bool appHost = !host.Equals(settings.Hostname, StringComparison.Ordinal) &&
                (state.Current.Routes.ContainsKey(host) || (context.WebSockets.IsWebSocketRequest && (context.Request.Path == "/" || context.Request.Path == WireNames.ClientLinkPath)));
            if (appHost && context.Request.Path == WireNames.ClientLinkPath)
            {
                await clientLinks.HandleAsync(context, host);
                return;
            }

            if (appHost && context.Request.Path.StartsWithSegments(SignInEndpoints.Prefix, StringComparison.Ordinal))
            {
                // The CLI knows only the app's hostname: its machine-to-machine calls (token, device
                // code) are answered here; pages move to the edge's own host, where the session lives.
                if (context.Request.Path == SignInEndpoints.TokenPath || context.Request.Path == SignInEndpoints.DeviceCodePath)
                {
                    await next(context);
                    return;
                }

                context.Response.Redirect(runtime.Settings.PublicUrl + context.Request.Path + context.Request.QueryString);
                return;
            }

            if (appHost)
            {
                await access.HandleAsync(context, host);
                return;
            }

            await next(context);
        });
        app.Map(WireNames.TunnelPath, (HttpContext context, ConnectorEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapGet(JwksDocument.WellKnownPath, (HttpContext context) => Jwks(context, tokens));
        app.MapGet(JwksDocument.CloudflareCertsPath, (HttpContext context) => Jwks(context, tokens));
        app.MapGet("/ready", (HttpContext context) => ReadyAsync(context, runtime));
        AdminApi.Map(app);
        SignInEndpoints.Map(app);
        ILogger enforcementLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Drawbridge.Edge.Access.LiveEnforcement");
        state.Changed += snapshot =>
        {
            CloseRemovedTunnels(registry, snapshot);
            int closed = connections.Enforce(c => LiveEnforcement.Verdict(c, snapshot));
            if (closed > 0)
            {
                EdgeLog.ConnectionsClosed(enforcementLog, closed, "no longer allowed after a configuration change");
            }
        };

        // 4. The metrics listener first: it exports what is recorded once it runs.
        ILogger hostLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<EdgeHost>();
        MetricsServer? metricsServer = null;
        if (options.MetricsEndpoint is { } metricsEndpoint)
        {
            metricsServer = await MetricsServer.StartAsync(metricsEndpoint, metrics.Meter, context => ReadyAsync(context, runtime), configureLogging, cancellationToken);
            EdgeLog.MetricsListening(hostLogger, metricsServer.Address);
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch when (metricsServer is not null)
        {
            await metricsServer.DisposeAsync(); // the edge never ran: neither does its metrics listener
            throw;
        }

        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        if (settings.PublicPort == 0)
        {
            runtime.Settings = settings with { PublicPort = port };
        }

        EdgeLog.Listening(hostLogger, $"{listen.Address}:{port}", settings.Hostname);
        return new EdgeHost(app, store, certificates, runtime, registry, state, connections, tokens, port, metrics, metricsServer, time);
    }

    /// <summary><c>/ready</c>: 200 while serving, 503 once draining (so a load balancer moves on).</summary>
    private static Task ReadyAsync(HttpContext context, EdgeRuntime runtime)
    {
        if (runtime.Draining)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("ready\n");
    }

    private static IResult Jwks(HttpContext context, AppTokens tokens)
    {
        context.Response.Headers.CacheControl = $"public, max-age={(int)JwksDocument.CacheLifetime.TotalSeconds}";
        return Results.Bytes(tokens.Jwks(), JwksDocument.ContentType);
    }

    /// <summary>Links of tunnels that are no longer in the snapshot (deleted elsewhere) are closed.</summary>
    private static void CloseRemovedTunnels(ConnectorRegistry registry, EdgeSnapshot snapshot)
    {
        foreach (ConnectorLink link in registry.All.ToList())
        {
            if (!snapshot.HasTunnel(link.TunnelId))
            {
                registry.CloseTunnel(link.TunnelId, "the tunnel was deleted");
            }
        }
    }

    internal static IPEndPoint ParseListen(string listen)
    {
        if (IPEndPoint.TryParse(listen, out IPEndPoint? endpoint) && endpoint.Port is >= 0 and <= 65535 && listen.Contains(':', StringComparison.Ordinal))
        {
            return endpoint;
        }

        throw new FormatException($"--listen '{listen}' is not IP:PORT (e.g. 0.0.0.0:443 or 127.0.0.1:8443)");
    }

    /// <summary>
    /// Graceful stop: refuse new connections, tell connectors to move on (GOAWAY), let open
    /// connections finish within the grace period, then close everything.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        Runtime.Draining = true;
        ILogger logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<EdgeHost>();
        List<ConnectorLink> links = [.. Registry.All];
        EdgeLog.Draining(logger, links.Count, Runtime.Options.GracePeriod.TotalSeconds, Runtime.Connections.Open);
        foreach (ConnectorLink link in links)
        {
            link.Session.GoAway("the edge is shutting down");
        }

        foreach (MuxSession clientLink in Runtime.ClientLinks.Keys)
        {
            clientLink.GoAway("the edge is shutting down");
        }

        try
        {
            await Runtime.Connections.WhenIdle().WaitAsync(Runtime.Options.GracePeriod, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Grace over: each connection still open is told why it ends, then the links close.
            string reason = $"the edge shut down: its {Runtime.Options.GracePeriod.TotalSeconds:0.#} s grace period for open connections ended; connect again";
            int cut = Connections.Enforce(_ => (MuxErrorCode.GoingAway, reason));
            EdgeLog.ConnectionsClosed(logger, cut, "the grace period ended");
        }

        foreach (ConnectorLink link in links)
        {
            await link.Session.CloseAsync(MuxErrorCode.GoingAway, "the edge shut down");
        }

        await _stopping.CancelAsync();
        await _poll;
        await _app.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        if (_metricsServer is not null)
        {
            await _metricsServer.DisposeAsync();
        }

        _metrics.Dispose();
        await _store.DisposeAsync();
        _certificates.Dispose();
        _stopping.Dispose();
    }
}
