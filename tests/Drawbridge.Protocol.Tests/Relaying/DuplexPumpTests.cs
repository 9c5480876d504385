using System.Net.Sockets;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Relaying;

/// <summary>The one relay (STYLE.md habit 7) between real loopback TCP connections:
/// <c>user ⇄ A ═pump═ B ⇄ origin</c>.</summary>
public sealed class DuplexPumpTests
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Bytes_AreCopiedBothWaysAtOnce_AndCounted()
    {
        var (user, a) = await LoopbackTcp.ConnectPairAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = user;
        await using var __ = origin;
        Task<RelayResult> pump = DuplexPump.RunAsync(a, b, onFailure: null, CancellationToken.None);

        Task<(long Length, byte[] Sha256)> atOrigin = Payload.ReadToEndHashedAsync(origin);
        Task<(long Length, byte[] Sha256)> atUser = Payload.ReadToEndHashedAsync(user);
        byte[] sentUp = await Payload.WriteRandomAsync(user, 3_000_000, seed: 1).WaitAsync(TestTimeouts.Event);
        byte[] sentDown = await Payload.WriteRandomAsync(origin, 5_000_000, seed: 2).WaitAsync(TestTimeouts.Event);
        user.Socket.Shutdown(SocketShutdown.Send);
        origin.Socket.Shutdown(SocketShutdown.Send);
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal(sentUp, (await atOrigin).Sha256);
        Assert.Equal(sentDown, (await atUser).Sha256);
        Assert.True(result.Completed);
        Assert.Null(result.Failure);
        Assert.Equal(3_000_000, result.BytesAToB);
        Assert.Equal(5_000_000, result.BytesBToA);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Eof_IsCarriedAsAHalfClose_AndTheReplyStillFlows()
    {
        var (user, a) = await LoopbackTcp.ConnectPairAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = user;
        await using var __ = origin;
        Task<RelayResult> pump = DuplexPump.RunAsync(a, b, onFailure: null, CancellationToken.None);

        await user.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
        user.Socket.Shutdown(SocketShutdown.Send);
        byte[] request = await Payload.ReadToEndAsync(origin).WaitAsync(TestTimeouts.Event); // EOF arrived...
        await origin.WriteAsync("HTTP/1.0 200 OK\r\n\r\nhello"u8.ToArray()); // ...and the origin still answers
        origin.Socket.Shutdown(SocketShutdown.Send);
        byte[] reply = await Payload.ReadToEndAsync(user).WaitAsync(TestTimeouts.Event);
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), request);
        Assert.Equal("HTTP/1.0 200 OK\r\n\r\nhello"u8.ToArray(), reply);
        Assert.True(result.Completed);
        Assert.Equal((18L, 24L), (result.BytesAToB, result.BytesBToA));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ReadFailure_IsReportedOnce_AndTheCallersAbortEndsTheOtherDirection()
    {
        var (user, a) = await LoopbackTcp.ConnectPairAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = user;
        var failures = new List<RelayFailure>();
        Task<RelayResult> pump = DuplexPump.RunAsync(a, b, failure =>
        {
            lock (failures)
            {
                failures.Add(failure);
            }

            a.Dispose(); // what a real caller does: abort both ends so the other copy wakes
            b.Dispose();
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        await origin.WriteAsync("partial"u8.ToArray());
        await user.ReadExactlyAsync(new byte[7]).AsTask().WaitAsync(TestTimeouts.Event);

        LoopbackTcp.Reset(origin);
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        RelayFailure failure = Assert.Single(failures);
        Assert.Same(failure, result.Failure);
        Assert.Equal(RelayDirection.BToA, failure.Direction);
        Assert.True(failure.OnRead);
        Assert.False(failure.FromA);
        Assert.IsAssignableFrom<IOException>(failure.Error);
        Assert.Equal(7, result.BytesBToA);
        Assert.True(result.Duration < DuplexPump.DefaultAbortGrace, $"the relay took {result.Duration} to end");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task WriteFailure_IsReportedWithItsDirection()
    {
        var (user, a) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = user;
        await using var b = new WriteFailingStream();
        Task<RelayResult> pump = DuplexPump.RunAsync(a, b, onFailure: null, CancellationToken.None);

        await user.WriteAsync("hello"u8.ToArray());
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.NotNull(result.Failure);
        Assert.Equal(RelayDirection.AToB, result.Failure.Direction);
        Assert.False(result.Failure.OnRead);
        Assert.False(result.Failure.FromA);
        Assert.Equal("broken pipe", result.Failure.Error.Message);
        Assert.Equal(0, result.BytesAToB); // the bytes read were never delivered
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CallbackThatDoesNothing_TheOtherDirectionIsCancelledAfterTheGrace()
    {
        var (user, a) = await LoopbackTcp.ConnectPairAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = user;
        await using var __ = a;
        await using var ___ = b;
        int calls = 0;
        Task<RelayResult> pump = DuplexPump.RunAsync(a, b, _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        LoopbackTcp.Reset(origin); // the user stays idle: A → B waits in a read that only cancellation ends
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal(1, calls);
        Assert.Equal(RelayDirection.BToA, result.Failure?.Direction);
        // Timers run on a clock coarser than Stopwatch's: allow them to fire a tick early.
        Assert.True(result.Duration >= DuplexPump.DefaultAbortGrace - TimeSpan.FromMilliseconds(50), $"the idle direction ended after {result.Duration}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task NoCallback_TheOtherDirectionIsCancelledAtOnce()
    {
        var (user, a) = await LoopbackTcp.ConnectPairAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = user;
        await using var __ = a;
        await using var ___ = b;
        Task<RelayResult> pump = DuplexPump.RunAsync(a, b, onFailure: null, CancellationToken.None);

        LoopbackTcp.Reset(origin);
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal(RelayDirection.BToA, result.Failure?.Direction);
        Assert.True(result.Duration < DuplexPump.DefaultAbortGrace, $"the relay took {result.Duration} to end");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task OverAMuxStream_EofBecomesFinAndFinBecomesEof()
    {
        // The connector's real shape: origin TCP ⇄ pump ⇄ mux stream ═link═ edge.
        await using var mux = await MuxPair.StartAsync(TransportKind.Pipe);
        var (opened, accepted) = await mux.OpenAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = origin;
        Task<RelayResult> pump = DuplexPump.RunAsync(accepted, b, onFailure: null, CancellationToken.None);

        await opened.WriteAsync("ping"u8.ToArray());
        await opened.CompleteWritesAsync();
        byte[] atOrigin = await Payload.ReadToEndAsync(origin).WaitAsync(TestTimeouts.Event);
        await origin.WriteAsync("pong"u8.ToArray());
        origin.Socket.Shutdown(SocketShutdown.Send);
        byte[] atEdge = await Payload.ReadToEndAsync(opened).WaitAsync(TestTimeouts.Event);
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal("ping"u8.ToArray(), atOrigin);
        Assert.Equal("pong"u8.ToArray(), atEdge);
        Assert.True(result.Completed);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task BetweenTwoMuxStreams_TinyAndFrameSizedWrites_ArriveIntactBothWays()
    {
        // The edge's shape: client link stream ═pump═ connector link stream. Both sources hand the
        // relay their own buffers: big blocks are written on as they lie, small ones gathered.
        await using var clientLink = await MuxPair.StartAsync(TransportKind.Pipe);
        await using var connectorLink = await MuxPair.StartAsync(TransportKind.Pipe);
        var (user, atEdgeFromUser) = await clientLink.OpenAsync();
        var (atEdgeToOrigin, origin) = await connectorLink.OpenAsync();
        Task<RelayResult> pump = DuplexPump.RunAsync(atEdgeFromUser, atEdgeToOrigin, onFailure: null, CancellationToken.None);
        int[] pieces = [1, 70_000, 3, 20_000, 17, 65_536, 100, 16_384, 16_383, 5];

        Task<(long Length, byte[] Sha256)> atOrigin = Payload.ReadToEndHashedAsync(origin);
        Task<(long Length, byte[] Sha256)> atUser = Payload.ReadToEndHashedAsync(user);
        Task<(long Length, byte[] Sha256)> up = WriteThenFinishAsync(user, pieces, seed: 3);
        Task<(long Length, byte[] Sha256)> down = WriteThenFinishAsync(origin, [.. pieces.Reverse()], seed: 4);
        var (sentUp, sentDown) = (await up.WaitAsync(TestTimeouts.Event), await down.WaitAsync(TestTimeouts.Event));
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal(Payload.Digest(sentUp), Payload.Digest(await atOrigin));
        Assert.Equal(Payload.Digest(sentDown), Payload.Digest(await atUser));
        Assert.True(result.Completed);
        Assert.Null(result.Failure);
        Assert.Equal((sentUp.Length, sentDown.Length), (result.BytesAToB, result.BytesBToA));

        static async Task<(long Length, byte[] Sha256)> WriteThenFinishAsync(MuxStream stream, int[] pieces, int seed)
        {
            var sent = await Payload.WriteRandomInPiecesAsync(stream, pieces, rounds: 20, seed);
            await stream.CompleteWritesAsync();
            return sent;
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task FromAStreamIntoAMuxStream_EveryFrameButTheLastIsAFullSendPayload()
    {
        // A source that always has more (as a busy socket does): each read fills one DATA frame
        // whose WebSocket message is four full TLS records; a 64 KiB read would have split into
        // a full frame and a 17-byte one.
        var (session, peer, accepted) = await RawMuxPeer.StartWithStreamAsync();
        await using var _ = session;
        await using var __ = peer;
        byte[] sent = Payload.Random((3 * MuxLimits.SendDataPayload) + 100, seed: 8);
        var source = new MemoryStream(sent);
        Task<RelayResult> pump = DuplexPump.RunAsync(source, accepted, onFailure: null, CancellationToken.None);

        var data = new List<RawFrame>();
        while (await peer.ReadFrameAsync() is { } frame && !(frame.Type == MuxFrameType.Data && frame.Header.HasFlag(MuxFrameFlags.Fin)))
        {
            if (frame.Type == MuxFrameType.Data)
            {
                data.Add(frame);
            }
        }

        await peer.SendAsync(w => MuxFrameWriter.WriteData(w, 1, [], fin: true));
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.Equal([MuxLimits.SendDataPayload, MuxLimits.SendDataPayload, MuxLimits.SendDataPayload, 100], data.Select(f => f.Payload.Length));
        Assert.Equal(sent, data.SelectMany(f => f.Payload).ToArray());
        Assert.True(result.Completed);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task FromAMuxStreamToTcp_ManySmallFrames_AreGatheredAndArriveInOrder()
    {
        // Small frames queue up in the stream's buffer while the relay writes: the relay then
        // finds them spread over several blocks and writes them on together, in order.
        await using var mux = await MuxPair.StartAsync(TransportKind.Pipe);
        var (opened, accepted) = await mux.OpenAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = origin;
        Task<RelayResult> pump = DuplexPump.RunAsync(accepted, b, onFailure: null, CancellationToken.None);

        Task<(long Length, byte[] Sha256)> atOrigin = Payload.ReadToEndHashedAsync(origin);
        var sent = await Payload.WriteRandomInPiecesAsync(opened, [7, 300, 4095, 4097, 1], rounds: 500, seed: 5).WaitAsync(TestTimeouts.Event);
        await opened.CompleteWritesAsync();
        Assert.Equal(Payload.Digest(sent), Payload.Digest(await atOrigin.WaitAsync(TestTimeouts.Event)));
        origin.Socket.Shutdown(SocketShutdown.Send);
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.True(result.Completed);
        Assert.Equal(sent.Length, result.BytesAToB);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task PeerResetOfAMuxStream_IsTheFailureWithItsCode()
    {
        await using var mux = await MuxPair.StartAsync(TransportKind.Pipe);
        var (opened, accepted) = await mux.OpenAsync();
        var (b, origin) = await LoopbackTcp.ConnectPairAsync();
        await using var _ = origin;
        await using var __ = b;
        Task<RelayResult> pump = DuplexPump.RunAsync(accepted, b, onFailure: null, CancellationToken.None);

        opened.Reset(MuxErrorCode.Cancel, "the user closed the tab");
        RelayResult result = await pump.WaitAsync(TestTimeouts.Event);

        Assert.NotNull(result.Failure);
        Assert.True(result.Failure.FromA);
        var error = Assert.IsType<MuxStreamException>(result.Failure.Error);
        Assert.Equal(MuxErrorCode.Cancel, error.Code);
    }
}
