using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Connectors;

/// <summary>SPEC.md §2: connectors' links arrive at <c>/_drawbridge/tunnel</c>, authenticate, and
/// become registered mux sessions until they end.</summary>
internal sealed class ConnectorEndpoint(EdgeState state, ConnectorRegistry registry, EdgeRuntime runtime, TimeProvider time, ILogger<ConnectorEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        string remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        if (!TunnelCredential.TryParseAuthorization(context.Request.Headers.Authorization, out Guid tunnelId, out byte[]? secret)
            || !state.Current.TryAuthenticateTunnel(tunnelId, secret))
        {
            const string message = "tunnel credential refused: unknown tunnel, wrong secret, or the tunnel was deleted; get a new one with `drawbridge tunnel token`";
            EdgeLog.LinkRefused(logger, remote, message);
            await EdgeRefusal.WriteAsync(context, ConnectionOutcome.Unauthenticated, message);
            return;
        }

        if (runtime.Draining)
        {
            await EdgeRefusal.WriteAsync(context, ConnectionOutcome.EdgeDraining, "this edge is shutting down; connect to another");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsync("connector links are WebSockets (SPEC.md §2)");
            return;
        }

        // Informational headers: a missing or malformed one shows as zero, it refuses nothing.
        Guid connectorId = Guid.TryParse(context.Request.Headers[WireNames.ConnectorIdHeader], out Guid id) ? id : Guid.Empty;
        int linkIndex = int.TryParse(context.Request.Headers[WireNames.LinkIndexHeader], out int index) ? index : 0;
        string version = Truncate(context.Request.Headers[WireNames.ConnectorVersionHeader].ToString(), 64);
        DisableBodyLimits(context);

        ServerWebSocketStream socket = await EdgeWebSockets.AcceptAsync(context, WireNames.MuxSubProtocol); // no WebSocket keep-alive: the mux PINGs (SPEC.md §3)
        var session = new MuxSession(socket, MuxRole.Opener, new MuxSessionOptions
        {
            KeepAliveInterval = runtime.Options.LinkKeepAlive,
            KeepAliveTimeout = runtime.Options.LinkKeepAliveTimeout,
            TimeProvider = time,
        });
        var link = new ConnectorLink(tunnelId, connectorId, linkIndex, version, remote, time.GetUtcNow(), session);
        // In the registry before the session answers anything: the connector counts itself
        // registered at its first PONG (EdgeLinkRunner), and must then be routable.
        registry.Add(link);
        session.Start();
        EdgeLog.LinkRegistered(logger, linkIndex, tunnelId, connectorId, remote, version);
        try
        {
            MuxLinkEnd end = await session.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            EdgeLog.LinkEnded(logger, linkIndex, tunnelId, end.ToString());
        }
        catch (OperationCanceledException)
        {
            EdgeLog.LinkEnded(logger, linkIndex, tunnelId, "the connection was aborted");
        }
        finally
        {
            registry.Remove(link);
            await session.DisposeAsync();
        }
    }

    /// <summary>Kestrel's body limits are for requests, not for a link that lives for days.</summary>
    internal static void DisableBodyLimits(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
