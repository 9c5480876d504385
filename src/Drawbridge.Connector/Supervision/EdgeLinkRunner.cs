using Drawbridge.Connector.Origins;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Connector.Supervision;

/// <summary>
/// Keeps one of the connector's links up (SPEC.md §2): dial, register, accept streams, and
/// when the link ends dial again with backoff. An edge's GOAWAY opens a replacement at once
/// while the old link drains.
/// </summary>
internal sealed class EdgeLinkRunner(
    int index,
    ConnectorOptions options,
    EdgeWebSocketDialer dialer,
    IReadOnlyList<KeyValuePair<string, string>> headers,
    OriginRelay relay,
    RelayTracker streams,
    ConnectorSupervisor supervisor,
    TimeProvider time,
    ILogger logger)
{
    private readonly List<Task> _draining = [];
    private volatile MuxSession? _current;
    private volatile bool _stopping;

    public int Index => index;

    public MuxSession? Current => _current;

    /// <summary>Registered and answering PINGs in time: a wedged link is not ready (cloudflared#1300).</summary>
    public bool IsReady => _current is { IsOpen: true } session && session.OldestUnansweredPing <= options.KeepAliveInterval;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Backoff backoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), Random.Shared);
        while (!cancellationToken.IsCancellationRequested && !_stopping)
        {
            MuxSession? session = await ConnectAsync(backoff, cancellationToken);
            if (session is null)
            {
                continue;
            }

            long connectedAt = time.GetTimestamp();
            Task accepting = AcceptAsync(session, cancellationToken);
            Task<MuxLinkEnd> goAway = session.PeerGoAway;
            await ((Task)Task.WhenAny(session.Completion, goAway)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                await CloseAsync(session, accepting);
                break;
            }

            if (!session.HasEnded && goAway.IsCompleted)
            {
                // The edge drains this link: its streams go on while a new link takes new ones.
                ConnectorLog.EdgeGoingAway(logger, index, goAway.Result.Reason);
                _current = null;
                _draining.Add(DrainAsync(session, accepting, cancellationToken));
                continue;
            }

            MuxLinkEnd end = await session.Completion;
            _current = null;
            await accepting;
            await session.DisposeAsync();
            if (time.GetElapsedTime(connectedAt) >= options.StablePeriod)
            {
                backoff.Reset();
            }

            TimeSpan delay = backoff.Next();
            ConnectorLog.LinkEnded(logger, index, end.ToString(), (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAll(_draining);
    }

    /// <summary>Graceful stop: the edge opens no new stream here; open ones go on.</summary>
    public void GoAway(string reason)
    {
        _stopping = true;
        _current?.GoAway(reason);
    }

    private async Task<MuxSession?> ConnectAsync(Backoff backoff, CancellationToken cancellationToken)
    {
        WebSocketDuplexStream transport;
        try
        {
            transport = await dialer.DialAsync(WireNames.TunnelPath, headers, WireNames.MuxSubProtocol, TimeSpan.Zero, cancellationToken);
        }
        catch (EdgeDialException ex) when (ex.Outcome == Protocol.Outcomes.ConnectionOutcome.Unauthenticated)
        {
            supervisor.Fail(ex);
            _stopping = true;
            return null;
        }
        catch (EdgeDialException ex)
        {
            TimeSpan delay = backoff.Next();
            ConnectorLog.LinkFailed(logger, index, ex.Message, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        var session = new MuxSession(transport, MuxRole.Acceptor, new MuxSessionOptions
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
            TimeProvider = time,
        });
        session.Start();
        if (!await ConfirmAsync(session, cancellationToken))
        {
            await session.DisposeAsync();
            if (cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            TimeSpan delay = backoff.Next();
            ConnectorLog.LinkFailed(logger, index, "the edge accepted the link but did not answer a PING", (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return null;
        }

        _current = session;
        supervisor.LinkRegistered();
        ConnectorLog.LinkRegistered(logger, index, $"{dialer.Endpoint.ConnectHost}:{dialer.Endpoint.ConnectPort}");
        return session;
    }

    /// <summary>
    /// The edge puts a link in its registry before its session answers anything, so the first
    /// PONG proves the edge can route to this link; only then is it "registered" (READY=1, /ready).
    /// </summary>
    private async Task<bool> ConfirmAsync(MuxSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.PingAsync(cancellationToken).WaitAsync(options.KeepAliveTimeout, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or MuxStreamException)
        {
            return false;
        }
    }

    private async Task AcceptAsync(MuxSession session, CancellationToken cancellationToken)
    {
        try
        {
            while (await session.AcceptStreamAsync(cancellationToken) is { } stream)
            {
                streams.Started();
                _ = RelayAsync(stream, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task RelayAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        try
        {
            await relay.RunAsync(stream, cancellationToken);
        }
        catch (Exception ex)
        {
            ConnectorLog.StreamRefused(logger, stream.Id, stream.Open.Hostname, "relay failed: " + ex.Message);
        }
        finally
        {
            streams.Ended();
        }
    }

    /// <summary>A link the edge drains ends when the edge closes it, or when the connector itself stops (after its grace period).</summary>
    private static async Task DrainAsync(MuxSession session, Task accepting, CancellationToken cancellationToken)
    {
        await ((Task)session.Completion).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!session.HasEnded)
        {
            await session.CloseAsync(MuxErrorCode.GoingAway, "the connector shut down");
        }

        await accepting;
        await session.DisposeAsync();
    }

    private async Task CloseAsync(MuxSession session, Task accepting)
    {
        _current = null;
        await session.CloseAsync(MuxErrorCode.GoingAway, "the connector shut down");
        await accepting;
        await session.DisposeAsync();
    }
}
