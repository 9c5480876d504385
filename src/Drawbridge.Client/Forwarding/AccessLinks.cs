using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Forwarding;

/// <summary>
/// SPEC.md §8: this client's connections to one hostname ride one link, a WebSocket over
/// HTTP/1.1 carrying the mux with the client as opener. The link is dialed on the first
/// connection, replaced when it ends, drains (GOAWAY) or its app token expires, and a replaced
/// link closes once its last connection has finished.
/// </summary>
internal sealed class AccessLinks(Func<CancellationToken, Task<(Stream Transport, DateTimeOffset? Expires)>> dial, string hostname, TimeProvider time) : IDisposable
{
    /// <summary>The client PINGs every 15 s (SPEC.md §8): under the common 60 s idle timers of NATs and proxies.</summary>
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long stopping waits for the edge to close the link: a few round trips on a live
    /// link; bounded so a dead one cannot hold the process.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(3);

    /// <summary>A link stops taking connections a minute before its app token expires, as the token cache does.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _dialing = new(1, 1);
    private Link? _current;
    private bool _disposed;

    /// <summary>The link new connections go on now; null before the first or after a retirement.</summary>
    internal MuxSession? Current => Volatile.Read(ref _current)?.Session;

    /// <summary>Opens a stream for one connection, dialing a link first when there is none usable.</summary>
    public async ValueTask<MuxStream> OpenAsync(CancellationToken cancellationToken)
    {
        Link? link = Volatile.Read(ref _current);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (link is null || !link.Usable(time.GetUtcNow()))
            {
                link = await ReplaceAsync(link, cancellationToken);
            }

            if (link.Session.TryOpenStream(new OpenMessage(hostname, Guid.NewGuid())) is { } stream)
            {
                return stream;
            }
        }

        throw new EdgeDialException(ConnectionOutcome.LinkLost, "the link to the edge ended as it was opened, three times: try again");
    }

    /// <summary>A stream ended in a way that says the link's credential no longer holds (revoked,
    /// expired): new connections go on a new link, which signs in again if needed.</summary>
    public void Retire(MuxSession session)
    {
        if (Volatile.Read(ref _current) is { } link && ReferenceEquals(link.Session, session)
            && Interlocked.CompareExchange(ref _current, null, link) == link)
        {
            _ = link.Session.CloseWhenIdle("the client replaced this link");
        }
    }

    private async Task<Link> ReplaceAsync(Link? stale, CancellationToken cancellationToken)
    {
        await _dialing.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Volatile.Read(ref _current) is { } other && !ReferenceEquals(other, stale) && other.Usable(time.GetUtcNow()))
            {
                return other; // another connection dialed it meanwhile
            }

            (Stream transport, DateTimeOffset? expires) = await dial(cancellationToken);
            var session = new MuxSession(transport, MuxRole.Opener, new MuxSessionOptions
            {
                KeepAliveInterval = KeepAliveInterval,
                KeepAliveTimeout = KeepAliveTimeout,
                TimeProvider = time,
            });
            session.Start();
            var fresh = new Link(session, expires);
            if (Interlocked.Exchange(ref _current, fresh) is { } old)
            {
                _ = old.Session.CloseWhenIdle("the client replaced this link");
            }

            return fresh;
        }
        finally
        {
            _dialing.Release();
        }
    }

    /// <summary>
    /// Closes the link gracefully: what is queued (a connection's last FIN) is written before the
    /// GOAWAY, and the edge's close is awaited for at most <see cref="CloseWait"/>, so a process
    /// that exits right after its last connection ended does not cut that FIN off (the origin
    /// would see an abort, the edge log <c>link_lost</c>).
    /// </summary>
    public void Dispose()
    {
        _dialing.Wait();
        _disposed = true;
        _dialing.Release();
        if (Interlocked.Exchange(ref _current, null) is { } link)
        {
            link.Session.CloseAsync(MuxErrorCode.NoError, "the client stopped").Wait(CloseWait);
        }
    }

    /// <summary>A link and when the app token it was opened with expires (null: a service token).</summary>
    private sealed record Link(MuxSession Session, DateTimeOffset? Expires)
    {
        public bool Usable(DateTimeOffset now) => Session.IsOpen && (Expires is not { } expires || expires - ExpiryMargin > now);
    }
}
