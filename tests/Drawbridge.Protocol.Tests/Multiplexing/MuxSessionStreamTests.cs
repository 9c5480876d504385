using System.Text;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>One stream's life between an edge session and a connector session (SPEC.md §3),
/// the same bodies over pipes, TCP and TLS WebSockets.</summary>
public sealed class MuxSessionStreamTests
{
    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task OpenedStream_IsAcceptedWithTheSameOpenMessage(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var open = new OpenMessage("db.example.com", Guid.NewGuid(), "email:zoë@example.com", "192.0.2.1:40000");

        MuxStream? opened = mux.Edge.TryOpenStream(open);
        MuxStream? accepted = await mux.Connector.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event);

        Assert.NotNull(opened);
        Assert.NotNull(accepted);
        Assert.Equal(1u, opened.Id);
        Assert.Equal(opened.Id, accepted.Id);
        Assert.Equal(open, accepted.Open);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task StreamIds_StartAtOneAndIncrease(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);

        var (first, _) = await mux.OpenAsync();
        var (second, _) = await mux.OpenAsync();
        var (third, _) = await mux.OpenAsync();

        Assert.Equal([1u, 2u, 3u], new[] { first.Id, second.Id, third.Id });
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task Data_FlowsBothWays(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        await opened.WriteAsync("SSH-2.0-client\r\n"u8.ToArray());
        string request = await ReadTextAsync(accepted, 16);
        await accepted.WriteAsync("SSH-2.0-origin\r\n"u8.ToArray());
        string reply = await ReadTextAsync(opened, 16);

        Assert.Equal("SSH-2.0-client\r\n", request);
        Assert.Equal("SSH-2.0-origin\r\n", reply);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task Data_WrittenRightAfterTheSyn_ArrivesWithoutWaitingForAnything(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);

        MuxStream opened = mux.Edge.TryOpenStream(MuxPair.NewOpenMessage())!;
        await opened.WriteAsync("early"u8.ToArray());
        await opened.CompleteWritesAsync();
        MuxStream? accepted = await mux.Connector.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event);

        Assert.Equal("early"u8.ToArray(), await Payload.ReadToEndAsync(accepted!).WaitAsync(TestTimeouts.Event));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task HalfClose_LetsThePeerFinishWriting(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();
        byte[] request = Payload.Random(70_000, seed: 1);
        byte[] reply = Payload.Random(1_000_000, seed: 2); // more than a window: credit must keep flowing after FIN

        await opened.WriteAsync(request);
        await opened.CompleteWritesAsync();
        byte[] received = await Payload.ReadToEndAsync(accepted).WaitAsync(TestTimeouts.Event);
        Task<byte[]> answer = Payload.ReadToEndAsync(opened);
        await accepted.WriteAsync(reply).AsTask().WaitAsync(TestTimeouts.Event);
        await accepted.CompleteWritesAsync();
        byte[] answered = await answer.WaitAsync(TestTimeouts.Event);

        Assert.Equal(request, received);
        Assert.Equal(reply, answered);
        Assert.Equal(0, await accepted.ReadAsync(new byte[1])); // EOF stays EOF
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task HalfClose_ThenWriting_IsRefusedLocally(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, _) = await mux.OpenAsync();

        await opened.CompleteWritesAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => opened.WriteAsync(new byte[1]).AsTask());
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task StreamEndedBothWays_LeavesBothStreamTables(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        await opened.CompleteWritesAsync();
        Assert.Empty(await Payload.ReadToEndAsync(accepted).WaitAsync(TestTimeouts.Event));
        await accepted.CompleteWritesAsync();
        Assert.Empty(await Payload.ReadToEndAsync(opened).WaitAsync(TestTimeouts.Event));

        Assert.Equal(0, mux.Edge.ActiveStreamCount);
        Assert.Equal(0, mux.Connector.ActiveStreamCount);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task Reset_ReachesThePeerWithItsCodeAndReason(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        accepted.Reset(MuxErrorCode.OriginRefused, "dial tcp 127.0.0.1:22: connection refused");
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => opened.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Event));

        Assert.Equal(MuxErrorCode.OriginRefused, error.Code);
        Assert.Equal("dial tcp 127.0.0.1:22: connection refused", error.Reason);
        Assert.True(error.ByPeer);
        Assert.Same(error, opened.ResetReason);
        var writeError = await Assert.ThrowsAsync<MuxStreamException>(() => opened.WriteAsync(new byte[1]).AsTask());
        Assert.Equal(MuxErrorCode.OriginRefused, writeError.Code);
        var localError = await Assert.ThrowsAsync<MuxStreamException>(() => accepted.ReadAsync(new byte[1]).AsTask());
        Assert.False(localError.ByPeer);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task Ack_CompletesAcknowledgedWithTrue(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        accepted.Acknowledge();

        Assert.True(await opened.Acknowledged.WaitAsync(TestTimeouts.Event));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task ResetBeforeAck_CompletesAcknowledgedWithFalse(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        accepted.Reset(MuxErrorCode.NoIngressRule, "no ingress rule for ssh.example.com");

        Assert.False(await opened.Acknowledged.WaitAsync(TestTimeouts.Event));
        Assert.Equal(MuxErrorCode.NoIngressRule, opened.ResetReason?.Code);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task AckReceivedBeforeAnyoneAsks_StillCompletesAcknowledgedWithTrue(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        accepted.Acknowledge();
        await accepted.WriteAsync(new byte[] { 7 }); // frames arrive in order: once the byte is read, the ACK was handled
        Assert.Equal(1, await opened.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Event));

        Assert.True(await opened.Acknowledged.WaitAsync(TestTimeouts.Event));
        Assert.True(await opened.Acknowledged); // the same answer every time it is asked
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task ResetReceivedBeforeAnyoneAsks_CompletesAcknowledgedWithFalse(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();

        accepted.Reset(MuxErrorCode.OriginRefused, "connection refused");
        await Assert.ThrowsAsync<MuxStreamException>(() => opened.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Event));

        Assert.False(await opened.Acknowledged.WaitAsync(TestTimeouts.Event));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task DisposingAStreamMidTransfer_SendsCancelToThePeer(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();
        Task writing = WriteForeverAsync(opened);
        await accepted.ReadExactlyAsync(new byte[100_000]).AsTask().WaitAsync(TestTimeouts.Event);

        await accepted.DisposeAsync();

        var error = await Assert.ThrowsAsync<MuxStreamException>(() => writing.WaitAsync(TestTimeouts.Event));
        Assert.Equal(MuxErrorCode.Cancel, error.Code);
        Assert.True(error.ByPeer);
        var readError = await Assert.ThrowsAsync<MuxStreamException>(() => opened.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(MuxErrorCode.Cancel, readError.Code);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [AllTransports]
    public async Task DisposingAFinishedStream_SendsNoReset(TransportKind transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.OpenAsync();
        await opened.CompleteWritesAsync();
        await accepted.CompleteWritesAsync();
        Assert.Empty(await Payload.ReadToEndAsync(opened).WaitAsync(TestTimeouts.Event));
        Assert.Empty(await Payload.ReadToEndAsync(accepted).WaitAsync(TestTimeouts.Event));

        await opened.DisposeAsync();
        await mux.Edge.PingAsync(CancellationToken.None).WaitAsync(TestTimeouts.Event); // anything sent before has arrived

        Assert.Null(accepted.ResetReason);
    }

    private static async Task WriteForeverAsync(Stream stream)
    {
        byte[] chunk = new byte[16 * 1024];
        while (true)
        {
            await stream.WriteAsync(chunk);
        }
    }

    private static async Task<string> ReadTextAsync(Stream stream, int length)
    {
        byte[] buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TestTimeouts.Event);
        return Encoding.UTF8.GetString(buffer);
    }
}
