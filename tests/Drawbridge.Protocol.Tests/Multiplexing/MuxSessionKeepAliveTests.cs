using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>The connector's PINGs (SPEC.md §3) on a fake clock.</summary>
public sealed class MuxSessionKeepAliveTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task UnansweredPings_EndTheLinkOnceTheOldestIsPastTheTimeout()
    {
        var time = new TimerWatchingTimeProvider();
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor, Options(time));
        await using var _ = session;
        await using var __ = peer;
        await time.TimerCreated.WaitAsync(TestTimeouts.Event);

        // Pings go out at 5 and 10 s, unanswered.
        for (int tick = 1; tick <= 2; tick++)
        {
            time.Clock.Advance(Interval);
            RawFrame ping = await peer.ExpectAsync(MuxFrameType.Ping);
            Assert.False(ping.Header.HasFlag(MuxFrameFlags.PingAck));
            Assert.Equal((tick - 1) * Interval, session.OldestUnansweredPing);
        }

        Assert.True(session.IsOpen);
        time.Clock.Advance(Interval); // 15 s: the first PING is 10 s old: its answer is 10 s late
        MuxLinkEnd end = await session.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(MuxErrorCode.LinkLost, end.Code);
        Assert.Contains("no PING answer", end.Reason, StringComparison.Ordinal);
        Assert.False(end.ByPeer);
        Assert.False(session.IsOpen);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task AnsweredPings_KeepTheLinkAliveAndMeasureTheRtt()
    {
        var time = new TimerWatchingTimeProvider();
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor, Options(time));
        await using var _ = session;
        await using var __ = peer;
        await time.TimerCreated.WaitAsync(TestTimeouts.Event);

        for (int tick = 1; tick <= 6; tick++) // 30 s: three timeouts' worth
        {
            time.Clock.Advance(Interval);
            RawFrame ping = await peer.ExpectAsync(MuxFrameType.Ping);
            time.Clock.Advance(TimeSpan.FromMilliseconds(20)); // the answer takes 20 ms
            await peer.SendAsync(w => MuxFrameWriter.WritePing(w, MuxFrameReader.ReadInt64(new(ping.Payload)), ack: true));
            await peer.SendPingAsync(tick); // the session handles frames in order: its answer means ours arrived
            await peer.ExpectAsync(MuxFrameType.Ping);

            Assert.Equal(TimeSpan.Zero, session.OldestUnansweredPing);
        }

        Assert.True(session.IsOpen);
        Assert.Equal(TimeSpan.FromMilliseconds(20), session.SmoothedRtt);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CleanClose_DoesNotWaitForTheNextKeepAliveTick()
    {
        // The clock never moves and the grace is an hour: only a prompt shutdown completes.
        var time = new TimerWatchingTimeProvider();
        var options = new MuxSessionOptions { KeepAliveInterval = Interval, KeepAliveTimeout = Timeout, TimeProvider = time, CloseGrace = TimeSpan.FromHours(1) };
        await using var mux = await MuxPair.StartAsync(TransportKind.Pipe, options);
        await time.TimerCreated.WaitAsync(TestTimeouts.Event);

        MuxLinkEnd local = await mux.Edge.CloseAsync(MuxErrorCode.NoError, "done").WaitAsync(TestTimeouts.Event);
        MuxLinkEnd remote = await mux.Connector.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(MuxErrorCode.NoError, local.Code);
        Assert.Equal(MuxErrorCode.NoError, remote.Code);
    }

    private static MuxSessionOptions Options(TimeProvider time) =>
        new() { KeepAliveInterval = Interval, KeepAliveTimeout = Timeout, TimeProvider = time };
}
