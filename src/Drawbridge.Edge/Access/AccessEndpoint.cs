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
            await RefuseAsync(context, hostname, client, refusal, caller, policy);
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
                metrics.Refused(AccessRefusal.NoConnectorFor(hostname));
                await clientStream.CloseOutputAsync(ConnectionOutcomes.CloseStatusFor(MuxErrorCode.NoConnector), ConnectionOutcome.NoConnector.Advice(hostname));
                EdgeLog.ConnectionEnded(logger, open.ConnectionId, hostname, caller.Identity, client, context.Request.Protocol, ConnectionOutcome.NoConnector.WireName(), 0, 0, 0, "");
                return;
            }

            // 3. Relay until both sides are done; the first failure decides the outcome.
            await RelayAsync(clientStream, static (client, code, reason) => TellClientAsync((WebSocketDuplexStream)client, code, reason),
                stream, open, caller, policy, context.Request.Protocol, started, onAcknowledged: null, context.RequestAborted);
        }
        finally
        {
            runtime.Connections.Ended();
        }
    }

    /// <summary>A refusal before anything was accepted: counted, logged, audited, and answered in
    /// HTTP (SPEC.md §1); a browser without a sign-in is sent to sign in instead.</summary>
    internal async Task RefuseAsync(HttpContext context, string hostname, string client, AccessRefusal refusal, AccessCaller? caller, string? policy)
    {
        await RecordRefusalAsync(hostname, client, refusal, caller, policy);
        if (IsBrowserWithoutSignIn(context, refusal.Outcome))
        {
            // A person who opened the app's address in a browser: sign them in on the edge's host.
            string signedIn = SignInEndpoints.Prefix + "/signed-in?app=" + Uri.EscapeDataString(hostname);
            context.Response.Redirect($"{runtime.Settings.PublicUrl}{SignInEndpoints.LoginPath}?return={Uri.EscapeDataString(signedIn)}");
            return;
        }

        await EdgeRefusal.WriteAsync(context, refusal.Outcome, refusal.Message);
    }

    /// <summary>A refusal counted, logged and audited; the caller answers it (HTTP, or an RST on a
    /// client link's stream, SPEC.md §8).</summary>
    internal async Task RecordRefusalAsync(string hostname, string client, AccessRefusal refusal, AccessCaller? caller, string? policy)
    {
        metrics.Refused(refusal);
        EdgeLog.ConnectionRefused(logger, hostname, client, refusal.Outcome.WireName(), refusal.Message);
        await audit.ConnectionAsync(caller?.Identity ?? "(unauthenticated)", hostname, refusal.Outcome.WireName(), policy, client, null, null, null, refusal.Message);
    }

    /// <summary>
    /// Relays one admitted connection between the client's side (a §1 WebSocket or a §8 link
    /// stream) and its connector stream until both are done, the first failure deciding the
    /// outcome. While it runs, live enforcement may end it (revocation, policy change) through
    /// the connector stream. Logs one line and writes the audit record.
    /// </summary>
    internal async Task RelayAsync(
        Stream clientStream,
        Func<Stream, MuxErrorCode, string, ValueTask> tellClient,
        MuxStream stream,
        OpenMessage open,
        AccessCaller caller,
        string? policy,
        string protocol,
        long started,
        Action? onAcknowledged,
        CancellationToken aborted)
    {
        string hostname = open.Hostname;
        string client = open.ClientAddress ?? "";
        metrics.StreamOpened();
        Task answered = TimeTheAnswerAsync(stream, started, onAcknowledged);
        await using (stream)
        {
            connections.Add(new OpenConnection(open.ConnectionId, hostname, caller, client, time.GetUtcNow(), (code, reason) => stream.Reset(code, reason)));
            RelayResult result;
            try
            {
                result = await DuplexPump.RunAsync(clientStream, stream, static (failure, ends) => AbortAsync(failure, ends.clientStream, ends.tellClient, ends.stream),
                    (clientStream, tellClient, stream), aborted);
            }
            finally
            {
                connections.Remove(open.ConnectionId);
            }

            (ConnectionOutcome outcome, string detail) = Classify(result, stream);
            metrics.StreamEnded(outcome, result.BytesAToB, result.BytesBToA);
            EdgeLog.ConnectionEnded(logger, open.ConnectionId, hostname, caller.Identity, client, protocol, outcome.WireName(),
                (long)result.Duration.TotalMilliseconds, result.BytesAToB, result.BytesBToA, detail);
            await audit.ConnectionAsync(caller.Identity, hostname, outcome.WireName(), policy, client, result.BytesAToB, result.BytesBToA,
                (long)result.Duration.TotalMilliseconds, detail.Trim(' ', '(', ')') is { Length: > 0 } why ? why : null);
        }

        await answered; // done: a disposed stream is acknowledged or reset
    }

    /// <param name="linkUpgrade">A client link's upgrade (SPEC.md §8): its admission is counted as a
    /// policy decision only when it refuses; each of its streams counts as one when decided.</param>
    internal AccessRefusal? Refuse(HttpContext context, string hostname, EdgeSnapshot snapshot, out AccessCaller? caller, out ConnectorLink? link, out string? policy, bool linkUpgrade = false)
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
        if (!linkUpgrade || !decision.Allowed)
        {
            metrics.PolicyDecided(snapshot.Apps.ContainsKey(hostname) ? hostname : null, decision);
        }

        policy = decision.DecidedBy?.Name;
        if (!decision.Allowed)
        {
            return new AccessRefusal(ConnectionOutcome.Denied,
                decision.DecidedBy?.Action == PolicyAction.Deny ? AccessRefusal.DenyPolicy : AccessRefusal.NoAllowingPolicy, decision.Reason);
        }

        if (!snapshot.TryGetTunnelForHostname(hostname, out Guid tunnelId))
        {
            return AccessRefusal.NoRouteFor(hostname);
        }

        link = registry.Pick(tunnelId);
        if (link is null)
        {
            return AccessRefusal.NoConnectorFor(hostname);
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
    private async Task TimeTheAnswerAsync(MuxStream stream, long started, Action? onAcknowledged)
    {
        bool opened = await stream.Acknowledged;
        if (opened)
        {
            onAcknowledged?.Invoke();
        }

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
    internal MuxStream? OpenStream(ConnectorLink link, OpenMessage open)
    {
        MuxStream? stream = link.Session.TryOpenStream(open);
        if (stream is null && registry.Pick(link.TunnelId, exclude: link) is { } other)
        {
            stream = other.Session.TryOpenStream(open);
        }

        return stream;
    }

    /// <summary>The first failure: tell each side in its own terms, so the blocked direction wakes.</summary>
    private static async ValueTask AbortAsync(RelayFailure failure, Stream client, Func<Stream, MuxErrorCode, string, ValueTask> tellClient, MuxStream stream)
    {
        if (failure.FromA)
        {
            // The client went away or broke its side: the origin's connection is abandoned.
            stream.Reset(MuxErrorCode.Cancel, "the client closed its connection");
            return;
        }

        MuxErrorCode code = stream.ResetReason?.Code ?? MuxErrorCode.InternalError;
        string reason = stream.ResetReason?.Reason ?? failure.Error.Message;
        stream.Reset(code, reason);
        await tellClient(client, code, reason);
    }

    /// <summary>SPEC.md §1: the WebSocket's Close frame carries 4000 + the code.</summary>
    private static async ValueTask TellClientAsync(WebSocketDuplexStream client, MuxErrorCode code, string reason)
    {
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
