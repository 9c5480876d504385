using Drawbridge.Edge.Connectors;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Metrics;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Access;

/// <summary>
/// A client's link for all its connections to one app hostname, at
/// <c>wss://&lt;app hostname&gt;/_drawbridge/streams</c> (SPEC.md §8): admitted like a §1
/// connection, then every stream the client opens is decided again and relayed to a stream on a
/// connector link, one connection each for audit, logs and live enforcement.
/// </summary>
internal sealed class ClientLinkEndpoint(EdgeState state, ConnectorRegistry registry, EdgeRuntime runtime, AccessEndpoint access, EdgeMetrics metrics, TimeProvider time, ILogger<ClientLinkEndpoint> logger)
{
    /// <summary>The edge PINGs a client link too (SPEC.md §8), less often than the client does: a
    /// client that vanished (laptop closed, NAT state gone) is found within a minute, and the
    /// connector streams its connections held are released.</summary>
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    public async Task HandleAsync(HttpContext context, string hostname)
    {
        string client = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        if (access.Refuse(context, hostname, state.Current, out AccessCaller? caller, out _, out string? policy, linkUpgrade: true) is { } refusal)
        {
            await access.RefuseAsync(context, hostname, client, refusal, caller, policy);
            return;
        }

        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(WireNames.MuxSubProtocol))
        {
            await EdgeRefusal.WriteAsync(context, ConnectionOutcome.ProtocolError,
                $"a client link needs the WebSocket subprotocol {WireNames.MuxSubProtocol} (SPEC.md §8)");
            return;
        }

        AccessAuthenticator.ForgetCredentials(context.Request.Headers);
        ConnectorEndpoint.DisableBodyLimits(context);
        ServerWebSocketStream socket = await EdgeWebSockets.AcceptAsync(context, WireNames.MuxSubProtocol); // no WebSocket keep-alive: the mux PINGs
        var session = new MuxSession(socket, MuxRole.Acceptor, new MuxSessionOptions
        {
            KeepAliveInterval = KeepAliveInterval,
            KeepAliveTimeout = KeepAliveTimeout,
            TimeProvider = time,
        });
        runtime.ClientLinks.TryAdd(session, 0);
        session.Start();
        if (runtime.Draining)
        {
            session.GoAway("the edge is shutting down"); // admitted while the drain began
        }

        var link = new Link(session, hostname, caller!, policy, client, "link/" + context.Request.Protocol);
        try
        {
            while (await session.AcceptStreamAsync(context.RequestAborted) is { } stream)
            {
                _ = ServeAsync(link, stream);
            }

            // The link has ended: let its last frames (a GOAWAY naming the error) reach the client
            // before the connection is released.
            await session.Completion.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // the client's connection was aborted: the session ends with it
        }
        finally
        {
            runtime.ClientLinks.TryRemove(session, out _);
            await session.DisposeAsync();
        }
    }

    private async Task ServeAsync(Link link, MuxStream clientStream)
    {
        long started = time.GetTimestamp();
        bool admitted = false;
        runtime.Connections.Started();
        try
        {
            await using (clientStream)
            {
                if (!link.TryAdmit(runtime.Options.MaxStreamsPerClientLink))
                {
                    clientStream.Reset(MuxErrorCode.RefusedStream,
                        $"this link already carries {runtime.Options.MaxStreamsPerClientLink} connections; close some first");
                    return;
                }

                admitted = true;

                if (!string.Equals(clientStream.Open.Hostname.TrimEnd('.'), link.Hostname, StringComparison.OrdinalIgnoreCase))
                {
                    clientStream.Reset(MuxErrorCode.ProtocolError, $"this link carries {link.Hostname}, not {clientStream.Open.Hostname} (SPEC.md §8)");
                    return;
                }

                if (Decide(link, out ConnectorLink? connector, out string? policy) is { } refused)
                {
                    await access.RecordRefusalAsync(link.Hostname, link.Client, refused.Refusal, link.Caller, policy);
                    clientStream.Reset(refused.Code, refused.Refusal.Message);
                    if (refused.Code is MuxErrorCode.AccessRevoked or MuxErrorCode.SessionExpired)
                    {
                        // The link's credential no longer admits anyone (live enforcement has closed
                        // its other streams): end the link, so that the client signs in again
                        // rather than opening streams that can only be refused.
                        _ = link.Session.CloseAsync(refused.Code, refused.Refusal.Message);
                    }

                    return;
                }

                var open = new OpenMessage(link.Hostname, Guid.NewGuid(), link.Caller.Identity, link.Client);
                if (access.OpenStream(connector!, open) is not { } stream)
                {
                    AccessRefusal noConnector = AccessRefusal.NoConnectorFor(link.Hostname);
                    await access.RecordRefusalAsync(link.Hostname, link.Client, noConnector, link.Caller, policy);
                    clientStream.Reset(MuxErrorCode.NoConnector, noConnector.Message);
                    return;
                }

                await access.RelayAsync(clientStream, static (client, code, reason) => ResetClient((MuxStream)client, code, reason),
                    stream, open, link.Caller, policy, link.Protocol, started, clientStream.Acknowledge, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            EdgeLog.ConnectionRefused(logger, link.Hostname, link.Client, ConnectionOutcome.InternalError.WireName(), "relay failed: " + ex.Message);
        }
        finally
        {
            if (admitted)
            {
                link.Release();
            }

            runtime.Connections.Ended();
        }
    }

    /// <summary>
    /// Each stream is decided again with the configuration of this moment and the link's credential
    /// (SPEC.md §8): what live enforcement would close is not opened, and a route or connector that
    /// went away is named.
    /// </summary>
    private (MuxErrorCode Code, AccessRefusal Refusal)? Decide(Link link, out ConnectorLink? connector, out string? policy)
    {
        connector = null;
        policy = link.Policy;
        if (LiveEnforcement.Expired(link.Caller, link.Hostname, time.GetUtcNow()) is { } expired)
        {
            return expired;
        }

        EdgeSnapshot snapshot = state.Current;
        (MuxErrorCode, AccessRefusal)? revoked = LiveEnforcement.Judge(link.Caller, link.Hostname, snapshot, out PolicyDecision? decision);
        if (decision is not null)
        {
            metrics.PolicyDecided(snapshot.Apps.ContainsKey(link.Hostname) ? link.Hostname : null, decision);
            policy = decision.DecidedBy?.Name;
        }

        if (revoked is not null)
        {
            return revoked;
        }

        if (!snapshot.TryGetTunnelForHostname(link.Hostname, out Guid tunnelId))
        {
            return (MuxErrorCode.NoRoute, AccessRefusal.NoRouteFor(link.Hostname));
        }

        connector = registry.Pick(tunnelId);
        return connector is null ? (MuxErrorCode.NoConnector, AccessRefusal.NoConnectorFor(link.Hostname)) : null;
    }

    private static ValueTask ResetClient(MuxStream client, MuxErrorCode code, string reason)
    {
        client.Reset(code, reason);
        return ValueTask.CompletedTask;
    }

    /// <summary>What every stream of one link shares: its hostname, the caller its upgrade admitted,
    /// and how many of its streams are being served.</summary>
    private sealed class Link(MuxSession session, string hostname, AccessCaller caller, string? policy, string client, string protocol)
    {
        private int _serving;

        public MuxSession Session { get; } = session;

        public string Hostname { get; } = hostname;

        public AccessCaller Caller { get; } = caller;

        public string? Policy { get; } = policy;

        public string Client { get; } = client;

        public string Protocol { get; } = protocol;

        /// <summary>Counts a stream in, unless <paramref name="max"/> are already served (SPEC.md §8).</summary>
        public bool TryAdmit(int max)
        {
            if (Interlocked.Increment(ref _serving) <= max)
            {
                return true;
            }

            Interlocked.Decrement(ref _serving);
            return false;
        }

        public void Release() => Interlocked.Decrement(ref _serving);
    }
}
