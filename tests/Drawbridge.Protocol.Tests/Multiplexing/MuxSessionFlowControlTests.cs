using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>Windows, credit and integrity under load (SPEC.md §6), over every transport.</summary>
public sealed class MuxSessionFlowControlTests
{
    private const int MiB = 1024 * 1024;

    [Theory(Timeout = TestTimeouts.Heavy)]
    [AllTransports]
    public async Task ManyConcurrentStreams_DeliverEveryByteIntactBothWays(TransportKind transport)
    {
        // 32 streams × 4 MiB each way: 8 MiB of initial stream windows over a 4 MiB link window,
        // so link credit, stream credit and window growth all take part.
        const int Streams = 32;
        const int Bytes = 4 * MiB;
        await using var mux = await MuxPair.StartAsync(transport);
        var exchanges = new List<Task>();

        for (int i = 0; i < Streams; i++)
        {
            var (opened, accepted) = await mux.OpenAsync();
            exchanges.Add(ExchangeAsync(opened, accepted, Bytes, seed: i));
        }

        await Task.WhenAll(exchanges).WaitAsync(TestTimeouts.Transfer);
        Assert.Equal(0, mux.Edge.ActiveStreamCount);
        Assert.Equal(0, mux.Connector.ActiveStreamCount);
    }

    [Theory(Timeout = TestTimeouts.Heavy)]
    [AllTransports]
    public async Task LargeTransferOnOneStream_CompletesAndGrowsTheReceiveWindow(TransportKind transport)
    {
        const int Bytes = 64 * MiB;
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        Task<(long Length, byte[] Sha256)> received = Payload.ReadToEndHashedAsync(accepted);
        byte[] sent = await Payload.WriteRandomAsync(opened, Bytes, seed: 64, chunk: 256 * 1024).WaitAsync(TestTimeouts.Transfer);
        await opened.CompleteWritesAsync();

        var (length, sha256) = await received.WaitAsync(TestTimeouts.Transfer);
        Assert.Equal(Bytes, length);
        Assert.Equal(sent, sha256);
        Assert.True(accepted.ReceiveWindowSize > MuxLimits.InitialStreamWindow, $"the window stayed at {accepted.ReceiveWindowSize} bytes");
        Assert.True(accepted.ReceiveWindowSize <= MuxLimits.MaxStreamWindow);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task FramesQueuedInAStream_AreHeldInPooledBlocks_WhichTheNextFramesReuse()
    {
        // BENCH.md: a steady-state stream allocates nothing per frame. A relay that reads slower
        // than frames arrive holds up to a window of them; each round here queues a full initial
        // window of full frames before the stream reads any, and only the first round may make
        // blocks (small buffers — window updates, the PONG — come from the shared pool).
        using var pool = new BlockMemoryPool(maxRetained: 64, BlockMemoryPool.FramesSharedUpTo);
        var (session, peer, accepted) = await RawMuxPeer.StartWithStreamAsync(new MuxSessionOptions { FramePool = pool });
        await using var _ = session;
        await using var __ = peer;
        const int Frames = MuxLimits.InitialStreamWindow / MuxLimits.MaxPayload;
        byte[] sink = new byte[Frames * MuxLimits.MaxPayload];
        long afterFirstRound = 0;

        for (int round = 0; round < 4; round++)
        {
            await peer.SendDataAsync(1, sink.Length);
            await peer.SendPingAsync(round); // answered once every DATA frame before it is queued
            await peer.ExpectAsync(MuxFrameType.Ping).WaitAsync(TestTimeouts.Event);
            await accepted.ReadExactlyAsync(sink).AsTask().WaitAsync(TestTimeouts.Event);
            if (round == 0)
            {
                afterFirstRound = pool.BlocksCreated;
                Assert.Equal(Frames, afterFirstRound);
            }
        }

        Assert.Equal(afterFirstRound, pool.BlocksCreated);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task StalledReader_BlocksItsWriterAfterTheWindow_WhileAnotherStreamKeepsWorking(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (stalled, stalledPeer) = await mux.OpenAsync();

        await stalled.WriteAsync(new byte[MuxLimits.InitialStreamWindow]).AsTask().WaitAsync(TestTimeouts.Event);
        Task blocked = stalled.WriteAsync(new byte[1]).AsTask();

        var (other, otherPeer) = await mux.OpenAsync();
        await ExchangeAsync(other, otherPeer, 2 * MiB, seed: 7).WaitAsync(TestTimeouts.Event);
        await mux.Edge.PingAsync(CancellationToken.None).WaitAsync(TestTimeouts.Event); // a full round trip since
        Assert.False(blocked.IsCompleted, "a write past the window completed though the peer read nothing");

        await stalledPeer.ReadExactlyAsync(new byte[MuxLimits.InitialStreamWindow]).AsTask().WaitAsync(TestTimeouts.Event);
        await blocked.WaitAsync(TestTimeouts.Event);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task ResetWhileTheWriterWaitsForLinkCredit_FailsTheWrite(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        await FillTheLinkWindowAsync(mux);
        var (starved, starvedPeer) = await mux.OpenAsync();
        Task blocked = starved.WriteAsync(new byte[1]).AsTask(); // stream credit, but no link credit

        starvedPeer.Reset(MuxErrorCode.Cancel, "the client went away");

        var error = await Assert.ThrowsAsync<MuxStreamException>(() => blocked.WaitAsync(TestTimeouts.Event));
        Assert.Equal(MuxErrorCode.Cancel, error.Code);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task AbandoningAStreamWithUnreadData_ReturnsItsLinkCredit(TransportKind transport)
    {
        // 24 × 256 KiB is 1.5 link windows: if abandoned bytes kept their link credit, the
        // connector's 17th write would wait forever.
        await using var mux = await MuxPair.StartAsync(transport);

        for (int i = 0; i < 24; i++)
        {
            var (opened, accepted) = await mux.OpenAsync();
            await accepted.WriteAsync(new byte[MuxLimits.InitialStreamWindow]).AsTask().WaitAsync(TestTimeouts.Event);
            await accepted.CompleteWritesAsync();
            await opened.CompleteWritesAsync();
            Assert.False(await opened.Acknowledged.WaitAsync(TestTimeouts.Event)); // both FINs are through: the stream is done

            await opened.DisposeAsync(); // the edge's client went away without reading the reply
        }
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task ResetStreamsUnreadData_ReturnsItsLinkCredit(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);

        for (int i = 0; i < 24; i++)
        {
            var (opened, accepted) = await mux.OpenAsync();
            await accepted.WriteAsync(new byte[MuxLimits.InitialStreamWindow]).AsTask().WaitAsync(TestTimeouts.Event);
            await mux.Connector.PingAsync(CancellationToken.None).WaitAsync(TestTimeouts.Event); // the data has arrived

            opened.Reset(MuxErrorCode.Cancel, "not interested");
        }
    }

    /// <summary>16 streams whose reader never reads take the whole 4 MiB link window.</summary>
    private static async Task FillTheLinkWindowAsync(MuxPair mux)
    {
        for (int i = 0; i < MuxLimits.InitialLinkWindow / MuxLimits.InitialStreamWindow; i++)
        {
            var (opened, _) = await mux.OpenAsync();
            await opened.WriteAsync(new byte[MuxLimits.InitialStreamWindow]).AsTask().WaitAsync(TestTimeouts.Event);
        }
    }

    /// <summary>Sends <paramref name="bytes"/> random bytes each way at once, FIN after, and checks
    /// both arrive intact (SHA-256 at both ends).</summary>
    private static async Task ExchangeAsync(MuxStream opened, MuxStream accepted, int bytes, int seed)
    {
        Task<(long Length, byte[] Sha256)> down = Payload.ReadToEndHashedAsync(accepted);
        Task<(long Length, byte[] Sha256)> up = Payload.ReadToEndHashedAsync(opened);
        Task<byte[]> sentDown = SendAsync(opened, bytes, 2 * seed);
        Task<byte[]> sentUp = SendAsync(accepted, bytes, 2 * seed + 1);

        await Task.WhenAll(down, up, sentDown, sentUp);

        Assert.Equal(bytes, (await down).Length);
        Assert.Equal(await sentDown, (await down).Sha256);
        Assert.Equal(bytes, (await up).Length);
        Assert.Equal(await sentUp, (await up).Sha256);
    }

    private static async Task<byte[]> SendAsync(MuxStream stream, int bytes, int seed)
    {
        byte[] sha256 = await Payload.WriteRandomAsync(stream, bytes, seed, chunk: 1_000 + (seed * 7_919 % 90_000));
        await stream.CompleteWritesAsync();
        return sha256;
    }
}
