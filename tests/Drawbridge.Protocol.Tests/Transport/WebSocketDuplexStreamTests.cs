using System.Net.WebSockets;
using System.Text;
using Drawbridge.Protocol.Tests.Support;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Protocol.Tests.Transport;

/// <summary>A WebSocket as a byte stream (SPEC.md §1): real RFC 6455 framing from the BCL's
/// WebSocket over an in-memory duplex pipe.</summary>
public sealed class WebSocketDuplexStreamTests
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task BinaryMessages_ReadAsOneByteStream()
    {
        var (edge, client) = CreatePair();
        using var _ = edge;
        using var __ = client;

        await client.Socket.SendAsync("first,"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await client.Socket.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await client.Socket.SendAsync("sec"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        await client.Socket.SendAsync("ond"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await client.CompleteWritesAsync();

        Assert.Equal("first,second", Encoding.UTF8.GetString(await Payload.ReadToEndAsync(edge).WaitAsync(TestTimeouts.Event)));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Writes_ArriveInOrderAsBinaryMessages()
    {
        var (edge, client) = CreatePair();
        using var _ = edge;
        using var __ = client;
        byte[] data = Payload.Random(300_000, seed: 3);

        Task<byte[]> received = Payload.ReadToEndAsync(client);
        await edge.WriteAsync(data.AsMemory(0, 100_000));
        await edge.WriteAsync(ReadOnlyMemory<byte>.Empty);
        await edge.WriteAsync(data.AsMemory(100_000));
        await edge.CompleteWritesAsync();

        Assert.Equal(data, await received.WaitAsync(TestTimeouts.Event));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task TextMessage_IsAWebSocketException()
    {
        var (edge, client) = CreatePair();
        using var _ = edge;
        using var __ = client;

        await client.Socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        var error = await Assert.ThrowsAsync<WebSocketException>(() => edge.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Equal(WebSocketError.InvalidMessageType, error.WebSocketErrorCode);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CloseWith4009_IsAWebSocketClosedExceptionWithThatStatus()
    {
        var (edge, client) = CreatePair();
        using var _ = edge;
        using var __ = client;

        await edge.CloseOutputAsync((WebSocketCloseStatus)4009, "origin refused: connection refused");

        var error = await Assert.ThrowsAsync<WebSocketClosedException>(() => client.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Equal((WebSocketCloseStatus)4009, error.Status);
        Assert.Equal("origin refused: connection refused", error.Description);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task NormalClose_ReadsAsEof_AndThePeerCanStillWriteUntilItCloses()
    {
        var (edge, client) = CreatePair();
        using var _ = edge;
        using var __ = client;

        await client.WriteAsync("request"u8.ToArray());
        await client.CompleteWritesAsync();
        byte[] request = await Payload.ReadToEndAsync(edge).WaitAsync(TestTimeouts.Event);
        await edge.WriteAsync("late reply"u8.ToArray());
        await edge.CompleteWritesAsync();
        byte[] reply = await Payload.ReadToEndAsync(client).WaitAsync(TestTimeouts.Event);

        Assert.Equal("request"u8.ToArray(), request);
        Assert.Equal("late reply"u8.ToArray(), reply);
        Assert.Equal(0, await edge.ReadAsync(new byte[1])); // EOF stays EOF
        Assert.Equal(WebSocketState.Closed, client.Socket.State);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CloseOutput_IsSentOnce_WithALongReasonTrimmedToFit()
    {
        var (edge, client) = CreatePair();
        using var _ = edge;
        using var __ = client;
        string reason = string.Concat(Enumerable.Repeat("connexion refusée ", 20));

        await edge.CloseOutputAsync((WebSocketCloseStatus)4009, reason);
        await edge.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "a second close is ignored");
        await edge.CompleteWritesAsync();

        var error = await Assert.ThrowsAsync<WebSocketClosedException>(() => client.ReadAsync(new byte[16]).AsTask().WaitAsync(TestTimeouts.Event));
        Assert.Equal((WebSocketCloseStatus)4009, error.Status);
        Assert.Equal(WebSocketDuplexStream.TrimReason(reason), error.Description);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    public void TrimReason_LeavesAShortReasonAlone(string reason)
    {
        Assert.Equal(reason, WebSocketDuplexStream.TrimReason(reason));
    }

    [Fact]
    public void TrimReason_KeepsA123ByteReasonWhole()
    {
        string reason = new string('x', 121) + "é"; // 123 bytes

        Assert.Equal(reason, WebSocketDuplexStream.TrimReason(reason));
    }

    [Theory]
    [InlineData("x", 200)]          // 1-byte characters
    [InlineData("é", 100)]          // 2-byte characters
    [InlineData("€", 60)]           // 3-byte characters
    [InlineData("🙂", 40)]          // 4-byte characters (surrogate pairs in UTF-16)
    [InlineData("aé€🙂", 30)]       // every width, at every alignment
    [InlineData("xé€🙂x", 31)]
    public void TrimReason_KeepsAtMost123BytesWithoutSplittingACharacter(string unit, int repeat)
    {
        string reason = string.Concat(Enumerable.Repeat(unit, repeat));

        string trimmed = WebSocketDuplexStream.TrimReason(reason);

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        int bytes = strict.GetByteCount(trimmed); // throws on a split surrogate pair
        Assert.InRange(bytes, 120, 123);
        Assert.EndsWith("...", trimmed, StringComparison.Ordinal);
        Assert.StartsWith(trimmed[..^3], reason, StringComparison.Ordinal);
    }

    private static (WebSocketDuplexStream Edge, WebSocketDuplexStream Client) CreatePair()
    {
        var (a, b) = DuplexPipeStream.CreatePair();
        var edge = WebSocket.CreateFromStream(a, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var client = WebSocket.CreateFromStream(b, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        return (new WebSocketDuplexStream(edge), new WebSocketDuplexStream(client));
    }
}
