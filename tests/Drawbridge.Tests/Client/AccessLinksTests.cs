using System.Net;
using System.Net.Sockets;
using Drawbridge.Client.Forwarding;
using Drawbridge.Protocol.Multiplexing;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Client;

/// <summary>
/// SPEC.md §8 from the client's side: connections share one link; a link that ended, drains, or
/// whose app token is about to expire is replaced; a replaced or retired link closes once its last
/// connection has finished. Each dialed link is a real mux session over loopback TCP.
/// </summary>
public sealed class AccessLinksTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly List<MuxSession> _edgeSides = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private Socket _listener = null!;
    private int _dials;

    /// <summary>What the next dial says the token expires at (null: a service token).</summary>
    private DateTimeOffset? _expires;

    public Task InitializeAsync()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync();
        }

        _listener.Dispose();
    }

    [Fact(Timeout = 60_000)]
    public async Task Connections_ShareOneLink_DialedOnceEvenWhenTheyArriveTogether()
    {
        using var links = NewLinks();

        MuxStream[] streams = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => links.OpenAsync(CancellationToken.None).AsTask()));

        Assert.Equal(1, _dials);
        Assert.Single(streams.Select(s => s.Session).Distinct());
        Assert.Equal(8, streams.Select(s => s.Id).Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task TokenAboutToExpire_TheNextConnectionGoesOnANewLink_TheOldOneClosesWhenItsLastStreamEnds()
    {
        _expires = _time.GetUtcNow().AddMinutes(10);
        using var links = NewLinks();
        MuxStream first = await links.OpenAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(9.5)); // inside the minute before expiry
        MuxStream second = await links.OpenAsync(CancellationToken.None);

        Assert.Equal(2, _dials);
        Assert.NotSame(first.Session, second.Session);
        Assert.False(first.Session.HasEnded, "the old link still carries a connection");
        await first.DisposeAsync();
        MuxLinkEnd end = await first.Session.Completion.WaitAsync(Limit);
        Assert.Equal(MuxErrorCode.NoError, end.Code);
        Assert.False(second.Session.HasEnded);
    }

    [Fact(Timeout = 60_000)]
    public async Task LinkThatEnded_IsReplacedByTheNextConnection()
    {
        using var links = NewLinks();
        MuxStream first = await links.OpenAsync(CancellationToken.None);

        await _edgeSides[0].CloseAsync(MuxErrorCode.GoingAway, "the edge restarted");
        await first.Session.Completion.WaitAsync(Limit);
        MuxStream second = await links.OpenAsync(CancellationToken.None);

        Assert.Equal(2, _dials);
        Assert.NotSame(first.Session, second.Session);
    }

    [Fact(Timeout = 60_000)]
    public async Task LinkThatTheEdgeDrains_TakesNoNewConnections()
    {
        using var links = NewLinks();
        MuxStream first = await links.OpenAsync(CancellationToken.None);

        _edgeSides[0].GoAway("the edge is shutting down");
        await first.Session.PeerGoAway.WaitAsync(Limit);
        MuxStream second = await links.OpenAsync(CancellationToken.None);

        Assert.NotSame(first.Session, second.Session);
        Assert.False(first.Session.HasEnded, "existing streams go on while the edge drains");
    }

    [Fact(Timeout = 60_000)]
    public async Task RetiredLink_IsNotUsedAgain_AndClosesOnceIdle()
    {
        using var links = NewLinks();
        MuxStream first = await links.OpenAsync(CancellationToken.None);

        links.Retire(first.Session);
        Assert.Null(links.Current);
        await first.DisposeAsync();
        await first.Session.Completion.WaitAsync(Limit);
        MuxStream second = await links.OpenAsync(CancellationToken.None);

        Assert.Equal(2, _dials);
        Assert.NotSame(first.Session, second.Session);
    }

    [Fact(Timeout = 60_000)]
    public async Task RetiringALinkThatWasAlreadyReplaced_LeavesTheNewOneAlone()
    {
        _expires = _time.GetUtcNow().AddMinutes(10);
        using var links = NewLinks();
        MuxStream first = await links.OpenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(9.5));
        MuxStream second = await links.OpenAsync(CancellationToken.None);

        links.Retire(first.Session);

        Assert.Same(second.Session, links.Current);
    }

    [Fact(Timeout = 60_000)]
    public async Task DialFailure_ReachesTheConnection_AndTheNextOneDialsAgain()
    {
        bool fail = true;
        using var links = new AccessLinks(
            async cancellationToken => fail ? throw new IOException("no route to the edge") : await DialAsync(cancellationToken),
            "db.test", _time);

        var error = await Assert.ThrowsAsync<IOException>(() => links.OpenAsync(CancellationToken.None).AsTask());
        fail = false;
        MuxStream stream = await links.OpenAsync(CancellationToken.None);

        Assert.Equal("no route to the edge", error.Message);
        Assert.False(stream.Session.HasEnded);
    }

    private AccessLinks NewLinks() => new(DialAsync, "db.test", _time);

    /// <summary>A link over loopback TCP with an acceptor session on the far side that takes every stream.</summary>
    private async Task<(Stream, DateTimeOffset?)> DialAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dials);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.LocalEndPoint!, cancellationToken);
        Socket accepted = await _listener.AcceptAsync(cancellationToken);
        var edge = new MuxSession(new NetworkStream(accepted, ownsSocket: true), MuxRole.Acceptor);
        edge.Start();
        lock (_edgeSides)
        {
            _edgeSides.Add(edge);
            _owned.Add(edge);
        }

        _ = AcceptAllAsync(edge);
        return (new NetworkStream(client, ownsSocket: true), _expires);
    }

    private static async Task AcceptAllAsync(MuxSession edge)
    {
        while (await edge.AcceptStreamAsync(CancellationToken.None) is { } stream)
        {
            stream.Acknowledge();
        }
    }
}
