using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Tests.Support;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Protocol.Tests.Transport;

/// <summary>The edge's own WebSocket framing (SPEC.md §1, §2) on a pair of pipes, as Kestrel
/// hands them over after the upgrade: against the BCL's client WebSocket for the well-behaved
/// cases, and against hand-made frames for everything a client may get wrong.</summary>
public sealed class ServerWebSocketStreamTests
{
    private static readonly byte Binary = (byte)WebSocketOpcode.Binary;

    [Fact(Timeout = TestTimeouts.Heavy)]
    public async Task BothWays_MessagesOfEverySize_ArriveWhole()
    {
        using var pair = new Pair();
        using WebSocket client = pair.BclClient();
        var clientStream = new WebSocketDuplexStream(client);
        int[] pieces = [1, 7, 125, 126, 127, 65_535, 65_536, 70_000, 3, 200_000];

        Task<(long, byte[])> toServer = Payload.ReadToEndHashedAsync(pair.Server);
        Task<(long, byte[])> toClient = Payload.ReadToEndHashedAsync(clientStream);
        var sentUp = await Payload.WriteRandomInPiecesAsync(clientStream, pieces, rounds: 4, seed: 1);
        var sentDown = await Payload.WriteRandomInPiecesAsync(pair.Server, pieces, rounds: 4, seed: 2);
        await clientStream.CompleteWritesAsync();
        await pair.Server.CompleteWritesAsync();

        Assert.Equal(Payload.Digest(sentUp), Payload.Digest(await toServer.WaitAsync(TestTimeouts.Transfer)));
        Assert.Equal(Payload.Digest(sentDown), Payload.Digest(await toClient.WaitAsync(TestTimeouts.Transfer)));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(100)]
    [InlineData(MuxLimits.SendDataPayload + MuxLimits.HeaderSize)]
    public async Task AFrame_IsWrittenAsOneBlock_ThoughTheOutputsBlocksAreSmaller(int length)
    {
        // Kestrel's TLS layer writes one record per block of its input (16 KiB blocks at the
        // edge): a frame laid over several blocks left as five or six records instead of four.
        var toClient = new Pipe(new PipeOptions(pool: new SmallBlockPool(), pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        var toServer = new Pipe(new PipeOptions(useSynchronizationContext: false));
        using var server = new ServerWebSocketStream(toServer.Reader, toClient.Writer);
        byte[] payload = Payload.Random(length, seed: 9);

        await server.WriteAsync(payload);
        await server.WriteAsync(payload);
        ReadResult result = await toClient.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Event);

        int frame = WebSocketFrames.ServerHeaderSize(length) + length;
        Assert.Equal(2 * frame, result.Buffer.Length);
        Assert.True(result.Buffer.First.Length >= frame, $"the frame of {frame} bytes starts a block of {result.Buffer.First.Length}");
        Assert.True(WebSocketFrames.TryReadHeader(result.Buffer, out WebSocketFrameHeader header));
        Assert.Equal(payload, result.Buffer.Slice(header.HeaderLength, length).ToArray());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task AFrameLargerThanABlock_IsLaidOverSeveralBlocks_AndArrivesWhole()
    {
        var toClient = new Pipe(new PipeOptions(pool: new SmallBlockPool(), pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        var toServer = new Pipe(new PipeOptions(useSynchronizationContext: false));
        using var server = new ServerWebSocketStream(toServer.Reader, toClient.Writer);
        byte[] payload = Payload.Random(200_000, seed: 10);

        await server.WriteAsync(payload);
        ReadResult result = await toClient.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Event);

        Assert.Equal(10 + payload.Length, result.Buffer.Length);
        Assert.True(result.Buffer.First.Length < payload.Length, "a frame larger than a DATA message made the output allocate a block its size");
        Assert.True(result.Buffer.First.Length <= MuxLimits.DataMessageSize, $"a first block of {result.Buffer.First.Length} bytes");
        Assert.True(WebSocketFrames.TryReadHeader(result.Buffer, out WebSocketFrameHeader header));
        Assert.Equal(payload, result.Buffer.Slice(header.HeaderLength).ToArray());
    }

    [Fact]
    public void AFullDataFrameInAClientsMessage_IsExactlyFourTlsRecords()
    {
        byte[] message = RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), new byte[MuxLimits.HeaderSize + MuxLimits.SendDataPayload]);
        Assert.Equal(4 * 16_384, message.Length);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task FragmentedAndEmptyMessages_ReadAsOneByteStream()
    {
        using var pair = new Pair();
        using WebSocket client = pair.BclClient();

        await client.SendAsync("first,"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await client.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await client.SendAsync("sec"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        await client.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        await client.SendAsync("ond"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);

        Assert.Equal("first,second", Encoding.UTF8.GetString(await ReadAllAsync(pair.Server, 64)));
    }

    /// <summary>STYLE.md habit 4: every split of the input, down to one byte per read, and reads
    /// of every small size, so the mask's phase is carried across both.</summary>
    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(1, 1)]
    [InlineData(1, 3)]
    [InlineData(2, 5)]
    [InlineData(3, 4096)]
    [InlineData(7, 7)]
    [InlineData(13, 1)]
    [InlineData(4096, 3)]
    public async Task AnySplit_AnyReadSize_SameBytes(int writeChunk, int readSize)
    {
        using var pair = new Pair();
        byte[] expected = Payload.Random(70_100, seed: 5);
        var wire = new List<byte>();
        int at = 0;
        foreach (int length in new[] { 0, 1, 5, 125, 126, 300, 65_536 })
        {
            wire.AddRange(RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), expected.AsSpan(at, length), key: [(byte)length, 0x5a, 0xc3, 0x11]));
            at += length;
            wire.AddRange(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Pong, "beat"u8));
        }

        wire.AddRange(RawWebSocketFrame.Client(Binary, expected.AsSpan(at, 1000)));
        wire.AddRange(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Ping, "in the middle"u8));
        wire.AddRange(RawWebSocketFrame.Client((byte)WebSocketOpcode.Continuation, ReadOnlySpan<byte>.Empty));
        wire.AddRange(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Continuation, expected.AsSpan(at + 1000)));
        wire.AddRange(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(1000, ""u8)));

        Task<byte[]> read = ReadAllAsync(pair.Server, readSize);
        byte[] bytes = [.. wire];
        for (int i = 0; i < bytes.Length; i += writeChunk)
        {
            await pair.ToServer.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(writeChunk, bytes.Length - i)));
        }

        Assert.Equal(expected, await read.WaitAsync(TestTimeouts.Event));
        (WebSocketOpcode opcode, byte[] payload) = await pair.ReadServerFrameAsync();
        Assert.Equal((WebSocketOpcode.Pong, "in the middle"), (opcode, Encoding.UTF8.GetString(payload)));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Ping_IsAnsweredWithAPongCarryingItsPayload()
    {
        using var pair = new Pair();
        Task<int> read = pair.Server.ReadAsync(new byte[16]).AsTask();

        await pair.SendRawAsync(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Ping, "are you there"u8));

        (WebSocketOpcode opcode, byte[] payload) = await pair.ReadServerFrameAsync();
        Assert.Equal(WebSocketOpcode.Pong, opcode);
        Assert.Equal("are you there", Encoding.UTF8.GetString(payload));
        Assert.False(read.IsCompleted); // a ping is no data
        await pair.SendRawAsync(RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "x"u8));
        Assert.Equal(1, await read.WaitAsync(TestTimeouts.Event));
    }

    /// <summary>Pongs answered by the reader never cut into a frame the writer is sending.</summary>
    [Fact(Timeout = TestTimeouts.Heavy)]
    public async Task PingsDuringABulkWrite_PongsGoBetweenFrames()
    {
        using var pair = new Pair();
        using WebSocket client = pair.BclClient(readOnly: true);
        var clientStream = new WebSocketDuplexStream(client);
        Task<(long, byte[])> received = Payload.ReadToEndHashedAsync(clientStream);
        Task serverReads = ReadAllAsync(pair.Server, 1024);

        Task<(long, byte[])> sent = Task.Run(async () =>
        {
            var result = await Payload.WriteRandomInPiecesAsync(pair.Server, [65_536, 100, 200_000], rounds: 40, seed: 9);
            await pair.Server.CompleteWritesAsync();
            return result;
        });
        for (int i = 0; i < 200 && !sent.IsCompleted; i++)
        {
            await pair.SendRawAsync(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Ping, BitConverter.GetBytes(i)));
            await Task.Yield();
        }

        Assert.Equal(Payload.Digest(await sent.WaitAsync(TestTimeouts.Transfer)), Payload.Digest(await received.WaitAsync(TestTimeouts.Transfer)));
        await pair.SendRawAsync(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, []));
        await serverReads.WaitAsync(TestTimeouts.Event);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CloseWith4009_IsAWebSocketClosedException_AgainOnEveryRead()
    {
        using var pair = new Pair();
        await pair.SendRawAsync(RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "last"u8));
        await pair.SendRawAsync(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(4009, "origin refused: connection refused"u8)));

        Assert.Equal("last", Encoding.UTF8.GetString(await ReadSomeAsync(pair.Server, 16)));
        for (int i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<WebSocketClosedException>(() => pair.Server.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
            Assert.Equal((WebSocketCloseStatus)4009, error.Status);
            Assert.Equal("origin refused: connection refused", error.Description);
        }
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NormalOrEmptyClose_IsEof_AndTheServerMayStillWrite(bool empty)
    {
        using var pair = new Pair();
        using WebSocket client = pair.BclClient();
        if (empty)
        {
            await pair.SendRawAsync(RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, []));
        }
        else
        {
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        Assert.Equal(0, await pair.Server.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Equal(0, await pair.Server.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        if (!empty)
        {
            await pair.Server.WriteAsync("reply"u8.ToArray());
            await pair.Server.CompleteWritesAsync();
            Assert.Equal("reply", Encoding.UTF8.GetString(await ReadAllAsync(new WebSocketDuplexStream(client), 64)));
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CloseOutput_SendsOneCloseWithStatusAndTrimmedReason_ThenWritesFail()
    {
        using var pair = new Pair();
        string reason = new('é', 100); // 200 bytes of UTF-8: trimmed to fit a control frame

        await pair.Server.CloseOutputAsync((WebSocketCloseStatus)4009, reason);
        await pair.Server.CompleteWritesAsync();

        (WebSocketOpcode opcode, byte[] payload) = await pair.ReadServerFrameAsync();
        Assert.Equal(WebSocketOpcode.Close, opcode);
        Assert.Equal(4009, BinaryPrimitives.ReadUInt16BigEndian(payload));
        Assert.InRange(payload.Length, 100, 125);
        Assert.EndsWith("...", Encoding.UTF8.GetString(payload, 2, payload.Length - 2), StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(() => pair.Server.WriteAsync("late"u8.ToArray()).AsTask());
        pair.ToClient.Writer.Complete();
        ReadResult rest = await pair.ToClient.Reader.ReadAsync();
        Assert.True(rest.Buffer.IsEmpty); // one Close only
    }

    public static TheoryData<string, byte[]> HostileFrames() => new()
    {
        { "unmasked frame", RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "x"u8, masked: false) },
        { "reserved bits", RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | 0x40 | Binary), "x"u8) },
        { "reserved opcode 0x3", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | 0x3, "x"u8) },
        { "reserved opcode 0xB", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | 0xB, "x"u8) },
        { "text message", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Text, "hello"u8) },
        { "continuation frame with no message", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Continuation, "x"u8) },
        { "new message before the previous one ended", [.. RawWebSocketFrame.Client(Binary, []), .. RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "b"u8)] },
        { "fragmented control frame", RawWebSocketFrame.Client((byte)WebSocketOpcode.Ping, "x"u8) },
        { "control frame of 126 bytes", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Ping, new byte[126]) },
        { "most significant bit", RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), [], declaredLength: 1UL << 63) },
        { "1-byte payload", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, [3]) },
        { "status 1005", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(1005, ""u8)) },
        { "status 999", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(999, ""u8)) },
        { "status 2000", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(2000, ""u8)) },
        { "status 5000", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(5000, ""u8)) },
        { "reason is not UTF-8", RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Close, RawWebSocketFrame.ClosePayload(4009, [0xC3, 0x28])) },
    };

    [Theory(Timeout = TestTimeouts.Test)]
    [MemberData(nameof(HostileFrames))]
    public async Task HostileFrame_FailsTheRead_NamingIt_AndTheClientGetsClose1002(string named, byte[] frame)
    {
        using var pair = new Pair();
        byte[] good = RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "ok"u8);
        await pair.SendRawAsync([.. good, .. frame, .. good]);

        Assert.Equal("ok", Encoding.UTF8.GetString(await ReadSomeAsync(pair.Server, 16))); // what came before is delivered
        var error = await Assert.ThrowsAsync<WebSocketException>(() => pair.Server.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("the client broke the WebSocket protocol: ", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<WebSocketException>(() => pair.Server.ReadAsync(new byte[16]).AsTask()); // and stays failed

        (WebSocketOpcode opcode, byte[] payload) = await pair.ReadServerFrameAsync();
        Assert.Equal(WebSocketOpcode.Close, opcode);
        Assert.Equal((int)WebSocketCloseStatus.ProtocolError, BinaryPrimitives.ReadUInt16BigEndian(payload));
        Assert.Contains(named, Encoding.UTF8.GetString(payload, 2, payload.Length - 2), StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(() => pair.Server.WriteAsync("after"u8.ToArray()).AsTask()); // nothing follows a Close
    }

    public static TheoryData<string, byte[], string> TruncatedInputs() => new()
    {
        { "between frames", RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "ok"u8), "without a WebSocket Close frame" },
        { "inside a header", [.. RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "ok"u8), 0x82, 0xFF, 0, 0], "inside a WebSocket frame" },
        { "inside a payload", [.. RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "ok"u8), .. RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), [], declaredLength: 1UL << 40)], "inside a WebSocket frame" },
        { "inside a control frame", [.. RawWebSocketFrame.Client((byte)(RawWebSocketFrame.Fin | Binary), "ok"u8), .. RawWebSocketFrame.Client(RawWebSocketFrame.Fin | (byte)WebSocketOpcode.Ping, [], declaredLength: 100)], "inside a WebSocket frame" },
    };

    /// <summary>A connection that ends without a Close is a broken link, not an EOF; a frame that
    /// declares a terabyte allocates nothing (the payload streams through).</summary>
    [Theory(Timeout = TestTimeouts.Test)]
    [MemberData(nameof(TruncatedInputs))]
    public async Task ConnectionEnds_WithoutClose_IsAPrematureClose(string where, byte[] bytes, string message)
    {
        _ = where;
        using var pair = new Pair();
        await pair.SendRawAsync(bytes);
        pair.ToServer.Writer.Complete();

        Assert.Equal("ok", Encoding.UTF8.GetString(await ReadSomeAsync(pair.Server, 16)));
        var error = await Assert.ThrowsAsync<WebSocketException>(() => pair.Server.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task EmptyReadBuffer_IsRefused()
    {
        using var pair = new Pair();
        await Assert.ThrowsAsync<ArgumentException>(() => pair.Server.ReadAsync(Memory<byte>.Empty).AsTask());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Dispose_EndsAReadInProgress()
    {
        var pair = new Pair();
        Task<int> read = pair.Server.ReadAsync(new byte[16]).AsTask();

        pair.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TestTimeouts.Event));
    }

    private static async Task<byte[]> ReadSomeAsync(Stream stream, int size)
    {
        byte[] buffer = new byte[size];
        int count = await stream.ReadAsync(buffer).AsTask().WaitAsync(TestTimeouts.Event);
        return buffer[..count];
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int readSize)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[readSize];
        int count;
        while ((count = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, count);
        }

        return all.ToArray();
    }

    /// <summary>The server's stream on two pipes, with the raw ends a test drives by hand.</summary>
    /// <summary>Blocks of 16 KiB at most, as the edge's transport pool hands out.</summary>
    private sealed class SmallBlockPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => 16 * 1024;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block(new byte[MaxBufferSize]);

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Block(byte[] array) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory => array;

            public void Dispose()
            {
            }
        }
    }

    private sealed class Pair : IDisposable
    {
        public Pair() => Server = new ServerWebSocketStream(ToServer.Reader, ToClient.Writer);

        public Pipe ToServer { get; } = new(new PipeOptions(useSynchronizationContext: false));

        public Pipe ToClient { get; } = new(new PipeOptions(useSynchronizationContext: false));

        public ServerWebSocketStream Server { get; }

        /// <summary>The BCL's client WebSocket on the raw ends (<paramref name="readOnly"/>: it only
        /// reads, and the test writes raw frames to the server itself).</summary>
        public WebSocket BclClient(bool readOnly = false) => WebSocket.CreateFromStream(
            DuplexPipeStream.Create(ToClient.Reader, readOnly ? new Pipe().Writer : ToServer.Writer),
            new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });

        public async Task SendRawAsync(byte[] bytes) => await ToServer.Writer.WriteAsync(bytes);

        /// <summary>Reads one frame the server sent (unmasked, final).</summary>
        public async Task<(WebSocketOpcode Opcode, byte[] Payload)> ReadServerFrameAsync()
        {
            while (true)
            {
                ReadResult result = await ToClient.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Event);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (WebSocketFrames.TryReadHeader(buffer, out WebSocketFrameHeader header) && buffer.Length >= header.HeaderLength + header.PayloadLength)
                {
                    Assert.True(header.Fin);
                    Assert.False(header.Masked);
                    byte[] payload = buffer.Slice(header.HeaderLength, header.PayloadLength).ToArray();
                    ToClient.Reader.AdvanceTo(buffer.GetPosition(header.HeaderLength + header.PayloadLength));
                    return (header.Opcode, payload);
                }

                Assert.False(result.IsCompleted, "the server's output ended inside a frame");
                ToClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        public void Dispose() => Server.Dispose();
    }
}
