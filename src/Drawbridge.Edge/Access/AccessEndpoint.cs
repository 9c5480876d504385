using System.Net;
using System.Net.WebSockets;
using Drawbridge.Edge.Audit;
using Drawbridge.Edge.Connectors;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Metrics;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Access;

/// <summary>
/// A client's TCP connection arriving as a WebSocket at <c>wss://&lt;app hostname&gt;/</c>
/// (SPEC.md §1): authenticate, route, open a stream on a connector link, relay, log one line.
/// </summary>
internal sealed class AccessEndpoint(EdgeState state, ConnectorRegistry registry, EdgeRuntime runtime, OpenConnections connections, AppTokens tokens, AuditLog audit, EdgeMetrics metrics, TimeProvider time, ILogger<AccessEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context, string hostname)
    {
        long started = time.GetTimestamp();
        string client = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        EdgeSnapshot snapshot = state.Current;

        // 1. Refusals that need no connector: draining, credential, policy, route, a live link.
        if (Refuse(context, hostname, snapshot, out AccessCaller? caller, out ConnectorLink? link, out string? policy) is { } refusal)
        {
            metrics.Refused(refusal);
            EdgeLog.ConnectionRefused(logger, hostname, client, refusal.Outcome.WireName(), refusal.Message);
            await audit.ConnectionAsync(caller?.Identity ?? "(unauthenticated)", hostname, refusal.Outcome.WireName(), policy, client, null, null, null, refusal.Message);
            if (IsBrowserWithoutSignIn(context, refusal.Outcome))
            {
                // A person who opened the app's address in a browser: sign them in on the edge's host.
                string signedIn = SignInEndpoints.Prefix + "/signed-in?app=" + Uri.EscapeDataString(hostname);
                context.Response.Redirect($"{runtime.Settings.PublicUrl}{SignInEndpoints.LoginPath}?return={Uri.EscapeDataString(signedIn)}");
                return;
            }

            await EdgeRefusal.WriteAsync(context, refusal.Outcome, refusal.Message);
            return;
        }

        AccessAuthenticator.ForgetCredentials(context.Request.Headers);

        // 2. Accept the WebSocket and open the stream at once: the SYN carries who and where,
        //    and the client's first bytes follow without waiting for the origin (SPEC.md §3).
        ConnectorEndpoint.DisableBodyLimits(context);
        WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            DangerousEnableCompression = false,
            // Over HTTP/2 the connection's own PINGs find a dead client (Kestrel limits below), so
            // the thousands of streams on it need no keep-alive timer each; HTTP/1.1 keeps it.
            KeepAliveInterval = HttpProtocol.IsHttp2(context.Request.Protocol) ? TimeSpan.Zero : null,
        });
        var open = new OpenMessage(hostname, Guid.NewGuid(), caller!.Identity, client);
        MuxStream? stream = OpenStream(link!, open);
        await using var clientStream = new WebSocketDuplexStream(socket);
        runtime.Connections.Started();
        try
        {
            if (stream is null)
            {
                metrics.Refused(new AccessRefusal(ConnectionOutcome.NoConnector, AccessRefusal.NoConnector, ConnectionOutcome.NoConnector.Advice(hostname)));
                await clientStream.CloseOutputAsync(ConnectionOutcomes.CloseStatusFor(MuxErrorCode.LinkLost), ConnectionOutcome.NoConnector.Advice(hostname));
                EdgeLog.ConnectionEnded(logger, open.ConnectionId, hostname, caller.Identity, client, context.Request.Protocol, ConnectionOutcome.NoConnector.WireName(), 0, 0, 0, "");
                return;
            }

            // 3. Relay until both sides are done; the first failure decides the outcome. While it
            //    runs, live enforcement may end it (revocation, policy change) through the stream.
            metrics.StreamOpened();
            Task answered = TimeTheAnswerAsync(stream, started);
            await using (stream)
            {
                connections.Add(new OpenConnection(open.ConnectionId, hostname, caller, client, time.GetUtcNow(), (code, reason) => stream.Reset(code, reason)));
                RelayResult result;
                try
                {
                    result = await DuplexPump.RunAsync(clientStream, stream, static (failure, ends) => AbortAsync(failure, ends.clientStream, ends.stream), (clientStream, stream), context.RequestAborted);
                }
                finally
                {
                    connections.Remove(open.ConnectionId);
                }

                (ConnectionOutcome outcome, string detail) = Classify(result, stream);
                metrics.StreamEnded(outcome, result.BytesAToB, result.BytesBToA);
                EdgeLog.ConnectionEnded(logger, open.ConnectionId, hostname, caller.Identity, client, context.Request.Protocol, outcome.WireName(),
                    (long)result.Duration.TotalMilliseconds, result.BytesAToB, result.BytesBToA, detail);
                await audit.ConnectionAsync(caller.Identity, hostname, outcome.WireName(), policy, client, result.BytesAToB, result.BytesBToA,
                    (long)result.Duration.TotalMilliseconds, detail.Trim(' ', '(', ')') is { Length: > 0 } why ? why : null);
            }

            await answered; // done: a disposed stream is acknowledged or reset
        }
        finally
        {
            runtime.Connections.Ended();
        }
    }

    private AccessRefusal? Refuse(HttpContext context, string hostname, EdgeSnapshot snapshot, out AccessCaller? caller, out ConnectorLink? link, out string? policy)
    {
        caller = null;
        link = null;
        policy = null;
        if (runtime.Draining)
        {
            return new AccessRefusal(ConnectionOutcome.EdgeDraining, AccessRefusal.Draining, "this edge is shutting down: connect again to reach another");
        }

        IPAddress address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        caller = AccessAuthenticator.Authenticate(context.Request.Headers, address, hostname, snapshot, tokens, out AccessRefusal unauthenticated);
        PolicyDecision decision;
        if (caller is not null)
        {
            decision = AccessAuthenticator.Authorize(hostname, caller, snapshot);
        }
        else if (AccessAuthenticator.Bypass(context.Request.Headers, address, hostname, snapshot) is { } bypass)
        {
            (caller, decision) = bypass;
        }
        else
        {
            return unauthenticated with { Message = $"{unauthenticated.Message} ({hostname})" };
        }

        // Labelled by application only when the hostname is one: a client may name any hostname.
        metrics.PolicyDecided(snapshot.Apps.ContainsKey(hostname) ? hostname : null, decision);
        policy = decision.DecidedBy?.Name;
        if (!decision.Allowed)
        {
            return new AccessRefusal(ConnectionOutcome.Denied,
                decision.DecidedBy?.Action == PolicyAction.Deny ? AccessRefusal.DenyPolicy : AccessRefusal.NoAllowingPolicy, decision.Reason);
        }

        if (!snapshot.TryGetTunnelForHostname(hostname, out Guid tunnelId))
        {
            return new AccessRefusal(ConnectionOutcome.NoRoute, AccessRefusal.NoRoute, ConnectionOutcome.NoRoute.Advice(hostname));
        }

        link = registry.Pick(tunnelId);
        if (link is null)
        {
            return new AccessRefusal(ConnectionOutcome.NoConnector, AccessRefusal.NoConnector, ConnectionOutcome.NoConnector.Advice(hostname));
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return new AccessRefusal(ConnectionOutcome.InternalError, AccessRefusal.NotWebSocket,
                $"{hostname} carries TCP through Drawbridge, not web pages: run `drawbridge access tcp --hostname {hostname} --url localhost:PORT`");
        }

        return null;
    }

    /// <summary>
    /// The stream-open latency: from the client's request to the connector's ACK (the origin is
    /// connected) or its reset (why not), SPEC.md §3. The relay does not wait for it: the client's
    /// first bytes travel with the SYN.
    /// </summary>
    private async Task TimeTheAnswerAsync(MuxStream stream, long started)
    {
        bool opened = await stream.Acknowledged;
        metrics.StreamAnswered(time.GetElapsedTime(started),
            opened ? null : stream.ResetReason is { } reset ? ConnectionOutcomes.FromMuxError(reset.Code) : ConnectionOutcome.Reset);
    }

    /// <summary>A plain browser page load (not a WebSocket, HTML accepted) that needs a sign-in; CLIs get the 401 naming the command.</summary>
    private static bool IsBrowserWithoutSignIn(HttpContext context, ConnectionOutcome outcome) =>
        outcome is ConnectionOutcome.Unauthenticated or ConnectionOutcome.SessionExpired
        && !context.WebSockets.IsWebSocketRequest
        && HttpMethods.IsGet(context.Request.Method)
        && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens the stream on the chosen link, or on another one if that link just closed.</summary>
    private MuxStream? OpenStream(ConnectorLink link, OpenMessage open)
    {
        MuxStream? stream = link.Session.TryOpenStream(open);
        if (stream is null && registry.Pick(link.TunnelId, exclude: link) is { } other)
        {
            stream = other.Session.TryOpenStream(open);
        }

        return stream;
    }

    /// <summary>The first failure: tell each side in its own terms, so the blocked direction wakes.</summary>
    private static async ValueTask AbortAsync(RelayFailure failure, WebSocketDuplexStream client, MuxStream stream)
    {
        if (failure.FromA)
        {
            // The client went away or broke its WebSocket: the origin's connection is abandoned.
            stream.Reset(MuxErrorCode.Cancel, "the client closed its connection");
            return;
        }

        MuxErrorCode code = stream.ResetReason?.Code ?? MuxErrorCode.InternalError;
        string reason = stream.ResetReason?.Reason ?? failure.Error.Message;
        stream.Reset(code, reason);
        try
        {
            await client.CloseOutputAsync(ConnectionOutcomes.CloseStatusFor(code), reason);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the client is gone too; nothing left to tell
        }
    }

    private static (ConnectionOutcome, string) Classify(RelayResult result, MuxStream stream)
    {
        if (result.Failure is null)
        {
            return (ConnectionOutcome.Closed, "");
        }

        if (result.Failure.FromA)
        {
            return (ConnectionOutcome.Reset, $" ({result.Failure.Error.Message})");
        }

        MuxStreamException? reset = stream.ResetReason;
        return reset is null
            ? (ConnectionOutcome.InternalError, $" ({result.Failure.Error.Message})")
            : (ConnectionOutcomes.FromMuxError(reset.Code), $" ({reset.Reason})");
    }
}
