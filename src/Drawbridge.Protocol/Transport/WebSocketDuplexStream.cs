using System.Net.WebSockets;
using System.Text;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// A WebSocket seen as a byte stream (SPEC.md §1, §2): binary messages concatenated, message
/// boundaries meaningless. A Close frame is the half-close: after sending ours we keep reading
/// until the peer's. A Close with a status other than 1000 (or none) reads as an abort.
/// </summary>
public sealed class WebSocketDuplexStream : DuplexStream
{
    /// <summary>RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the status.</summary>
    private const int MaxCloseReasonBytes = 123;

    private readonly WebSocket _socket;
    private bool _readEof;
    private int _writesCompleted;

    public WebSocketDuplexStream(WebSocket socket) => _socket = socket;

    public WebSocket Socket => _socket;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!_readEof)
        {
            ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(buffer, cancellationToken);
            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    _readEof = true;
                    WebSocketCloseStatus status = _socket.CloseStatus ?? WebSocketCloseStatus.Empty;
                    if (status != WebSocketCloseStatus.NormalClosure)
                    {
                        throw new WebSocketClosedException(status, _socket.CloseStatusDescription);
                    }

                    return 0;
                case WebSocketMessageType.Text:
                    throw new WebSocketException(WebSocketError.InvalidMessageType, "a text message arrived where only binary messages are allowed");
                default:
                    if (result.Count > 0 || buffer.IsEmpty)
                    {
                        return result.Count;
                    }

                    break; // an empty binary message carries nothing: read on
            }
        }

        return 0;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.IsEmpty ? ValueTask.CompletedTask : _socket.SendAsync(buffer, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    /// <summary>Half-close: a normal Close frame; reading goes on until the peer's.</summary>
    public override ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default) =>
        CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);

    /// <summary>Sends our Close frame with a status and reason (trimmed to fit); once only.</summary>
    public async ValueTask CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _writesCompleted, 1) == 1 || _socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        await _socket.CloseOutputAsync(status, TrimReason(reason), cancellationToken);
    }

    internal static string TrimReason(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= MaxCloseReasonBytes)
        {
            return reason;
        }

        var builder = new StringBuilder();
        int bytes = 0;
        foreach (Rune rune in reason.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > MaxCloseReasonBytes - 3)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder.Append("...").ToString();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
