using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>The link as a whole: PING, GOAWAY, closing (SPEC.md §3), over every transport.</summary>
public sealed class MuxSessionLinkTests
{
    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task Ping_ReturnsTheRoundTripAndSetsTheSmoothedRtt(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        Assert.Equal(TimeSpan.Zero, mux.Connector.SmoothedRtt);

        TimeSpan fromConnector = await mux.Connector.PingAsync(CancellationToken.None).WaitAsync(TestTimeouts.Event);
        TimeSpan fromEdge = await mux.Edge.PingAsync(CancellationToken.None).WaitAsync(TestTimeouts.Event);

        Assert.True(fromConnector > TimeSpan.Zero);
        Assert.True(fromEdge > TimeSpan.Zero);
        Assert.True(mux.Connector.SmoothedRtt > TimeSpan.Zero);
        Assert.True(mux.Edge.SmoothedRtt > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, mux.Connector.OldestUnansweredPing);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task GoAway_CompletesThePeersPeerGoAwayAndStopsNewStreams(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        mux.Connector.GoAway("connector shutting down");
        MuxLinkEnd goAway = await mux.Edge.PeerGoAway.WaitAsync(TestTimeouts.Event);

        Assert.Equal(new MuxLinkEnd(MuxErrorCode.NoError, "connector shutting down", ByPeer: true), goAway);
        Assert.False(mux.Edge.IsOpen);
        Assert.False(mux.Connector.IsOpen);
        Assert.Null(mux.Edge.TryOpenStream(MuxPair.NewOpenMessage()));
        Assert.False(mux.Edge.Completion.IsCompleted);
        // Existing streams go on.
        await opened.WriteAsync("still here"u8.ToArray());
        await opened.CompleteWritesAsync();
        Assert.Equal("still here"u8.ToArray(), await Payload.ReadToEndAsync(accepted).WaitAsync(TestTimeouts.Event));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task SynThatCrossesAGoAway_IsRefusedWithRefusedStream(TransportKind transport)
    {
        // The edge's loops start only after it queued the SYN, so the SYN surely crosses the GOAWAY.
        await using var mux = await MuxPair.StartAsync(transport, startEdge: false);
        mux.Connector.GoAway("draining");
        MuxStream crossing = mux.Edge.TryOpenStream(MuxPair.NewOpenMessage())!;

        mux.Edge.Start();
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => crossing.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Event));

        Assert.Equal(MuxErrorCode.RefusedStream, error.Code);
        Assert.True(error.ByPeer);
        Assert.False(await crossing.Acknowledged);
        await mux.Edge.PeerGoAway.WaitAsync(TestTimeouts.Event);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task CloseAsync_EndsBothSessionsWithTheSameCodeAndReason(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (_, accepted) = await mux.OpenAsync();

        MuxLinkEnd local = await mux.Edge.CloseAsync(MuxErrorCode.NoError, "edge maintenance").WaitAsync(TestTimeouts.Event);
        MuxLinkEnd remote = await mux.Connector.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(new MuxLinkEnd(MuxErrorCode.NoError, "edge maintenance", ByPeer: false), local);
        Assert.Equal(new MuxLinkEnd(MuxErrorCode.NoError, "edge maintenance", ByPeer: true), remote);
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => accepted.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(MuxErrorCode.LinkLost, error.Code);
        Assert.Null(await mux.Connector.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task CloseAsync_WithAnError_ReportsItToThePeer(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);

        await mux.Connector.CloseAsync(MuxErrorCode.InternalError, "connector bug").WaitAsync(TestTimeouts.Event);
        MuxLinkEnd remote = await mux.Edge.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(new MuxLinkEnd(MuxErrorCode.InternalError, "connector bug", ByPeer: true), remote);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task PeerVanishing_EndsTheLinkAsLinkLost_AndFailsItsStreams(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, _) = await mux.OpenAsync();

        await mux.Connector.DisposeAsync();
        MuxLinkEnd end = await mux.Edge.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(MuxErrorCode.LinkLost, end.Code);
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => opened.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(MuxErrorCode.LinkLost, error.Code);
        Assert.Null(mux.Edge.TryOpenStream(MuxPair.NewOpenMessage()));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task PendingPing_FailsWhenTheLinkEnds(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport, startEdge: false); // nobody answers yet
        Task<TimeSpan> ping = mux.Connector.PingAsync(CancellationToken.None);

        _ = mux.Connector.CloseAsync(MuxErrorCode.NoError, "bye"); // its Completion waits for a peer that never started

        var error = await Assert.ThrowsAsync<MuxStreamException>(() => ping.WaitAsync(TestTimeouts.Event));
        Assert.Equal(MuxErrorCode.LinkLost, error.Code);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DisposeAsync_Twice_IsHarmless()
    {
        await using var mux = await MuxPair.StartAsync(TransportKind.Pipe);

        await mux.Connector.DisposeAsync();
        await mux.Connector.DisposeAsync();

        Assert.Equal(MuxErrorCode.LinkLost, (await mux.Connector.Completion.WaitAsync(TestTimeouts.Event)).Code);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task TryOpenStream_OnTheAcceptor_IsRefused()
    {
        await using var mux = await MuxPair.StartAsync(TransportKind.Pipe);

        Assert.Throws<InvalidOperationException>(() => mux.Connector.TryOpenStream(MuxPair.NewOpenMessage()));
    }
}
