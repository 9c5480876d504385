using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>The link's writer: a sender that finds it idle writes on its own thread, a busy one
/// leaves its frames to the thread pool's writer; either way frames reach the wire whole and in
/// order, and a write that fails ends the link.</summary>
public sealed class MuxSessionWriterTests
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task AWriteThatFails_EndsTheLinkAsLinkLost_AndFailsTheStream()
    {
        await using var session = new MuxSession(new WriteFailingStream(), MuxRole.Opener);
        session.Start();
        MuxStream? stream = session.TryOpenStream(MuxPair.NewOpenMessage());
        Assert.NotNull(stream);

        MuxLinkEnd end = await session.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(MuxErrorCode.LinkLost, end.Code);
        Assert.Contains("writing to the link failed: broken pipe", end.Reason);
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => stream.WriteAsync(new byte[10]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Equal(MuxErrorCode.LinkLost, error.Code);
        Assert.Null(session.TryOpenStream(MuxPair.NewOpenMessage()));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task ManySendersAtOnce_TakeTurnsAsTheWriter_AndEveryStreamArrivesInOrder(TransportKind transport)
    {
        // 16 streams each write 400 small pieces as fast as they can: senders keep finding the
        // writer busy (their frames go to the thread pool's writer) and idle (they write themselves).
        await using var mux = await MuxPair.StartAsync(transport);
        var pairs = new List<(MuxStream Opened, MuxStream Accepted)>();
        for (int i = 0; i < 16; i++)
        {
            pairs.Add(await mux.OpenAsync());
        }

        static byte[] Expected(int stream) =>
            [.. Enumerable.Range(0, 400).SelectMany(piece => BitConverter.GetBytes(stream * 100_000 + piece))];

        Task[] writers = [.. pairs.Select((pair, index) => Task.Run(async () =>
        {
            for (int piece = 0; piece < 400; piece++)
            {
                await pair.Opened.WriteAsync(BitConverter.GetBytes(index * 100_000 + piece));
            }

            await pair.Opened.CompleteWritesAsync();
        }))];
        Task<byte[]>[] readers = [.. pairs.Select(pair => Payload.ReadToEndAsync(pair.Accepted))];

        await Task.WhenAll(writers).WaitAsync(TestTimeouts.Event);
        byte[][] received = await Task.WhenAll(readers).WaitAsync(TestTimeouts.Event);

        for (int i = 0; i < pairs.Count; i++)
        {
            Assert.Equal(Expected(i), received[i]);
        }
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task FullFramesAndSmallOnes_FromManyStreams_ArriveInOrder(TransportKind transport)
    {
        // The writer sends a full DATA frame as it lies and joins small frames around it: whatever
        // mix is queued, every stream's bytes arrive whole and in order.
        await using var mux = await MuxPair.StartAsync(transport);
        var pairs = new List<(MuxStream Opened, MuxStream Accepted)>();
        for (int i = 0; i < 6; i++)
        {
            pairs.Add(await mux.OpenAsync());
        }

        int[] pieces = [65_536, 3, 20_000, 1, 16_384, 200, 70_000, 9];
        Task<(long Length, byte[] Sha256)>[] writers = [.. pairs.Select((pair, index) => Task.Run(async () =>
        {
            var sent = await Payload.WriteRandomInPiecesAsync(pair.Opened, pieces, rounds: 8, seed: index);
            await pair.Opened.CompleteWritesAsync();
            return sent;
        }))];
        Task<(long Length, byte[] Sha256)>[] readers = [.. pairs.Select(pair => Payload.ReadToEndHashedAsync(pair.Accepted))];

        var sent = await Task.WhenAll(writers).WaitAsync(TestTimeouts.Event);
        var received = await Task.WhenAll(readers).WaitAsync(TestTimeouts.Event);

        Assert.Equal(sent.Select(Payload.Digest), received.Select(Payload.Digest));
    }
}
