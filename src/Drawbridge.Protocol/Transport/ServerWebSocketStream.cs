using System.IO.Pipelines;
using System.Net.WebSockets;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// The server's end of an accepted WebSocket (RFC 6455) as a byte stream, with the same meaning
/// as <see cref="WebSocketDuplexStream"/> (SPEC.md §1, §2), but framed here on the HTTP
/// connection's own pipes instead of by the BCL's WebSocket: a frame's payload is unmasked
/// straight from the server's input into the reader's buffer, and a write goes straight into
/// the server's output. That is one copy each way where the BCL's WebSocket over the upgraded
/// stream makes two (its send buffer, then the stream's copy into the pipe; on receive a copy
/// out of the pipe, then unmasking in place).
/// <para>
/// One reader at a time (the mux's read loop); writes may come from any thread one at a time,
/// and the reader's own Pong and Close frames take the same gate. A client that breaks the
/// RFC gets Close 1002 naming what it did, and the read fails with a <see cref="WebSocketException"/>.
/// </para>
/// </summary>
public sealed partial class ServerWebSocketStream : DuplexStream
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // The reader's state.
    private long _payloadLeft;
    private uint _maskKey;
    private int _maskOffset;
    private bool _inMessage; // a binary message continues in continuation frames
    private bool _readEof;
    private Exception? _readFailure; // thrown again by every read after it
    private byte[]? _pendingPong;
    private WebSocketProtocolException? _violation; // met while parsing; reported by the next read

    private bool _reading; // a read waits on the input
    private bool _closeSent; // guarded by _writeGate

    /// <summary><paramref name="input"/> and <paramref name="output"/> carry the connection's bytes
    /// after the upgrade (at the edge the HTTP/1.1 connection's own pipes after TLS); the server
    /// owns them and completes them when the request ends.</summary>
    public ServerWebSocketStream(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A read in progress ends. Only then: the input may be the connection's own, which the
            // server owns and completes, and a cancellation left pending would fall on its next read.
            if (Volatile.Read(ref _reading))
            {
                _input.CancelPendingRead();
            }
        }

        base.Dispose(disposing);
    }
}
