using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
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
public sealed class ServerWebSocketStream : DuplexStream
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
    /// after the upgrade (Kestrel's request body reader and response body writer); the server
    /// owns them and completes them when the request ends.</summary>
    public ServerWebSocketStream(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            throw new ArgumentException("a read needs room for at least one byte", nameof(buffer));
        }

        while (true)
        {
            if (_violation is { } violation)
            {
                _violation = null;
                await FailAsync(violation, cancellationToken);
            }

            if (_readFailure is not null)
            {
                throw _readFailure;
            }

            if (_readEof)
            {
                return 0;
            }

            ReadResult result;
            Volatile.Write(ref _reading, true);
            try
            {
                result = await _input.ReadAsync(cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _reading, false);
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("the WebSocket was disposed during a read");
            }

            ReadOnlySequence<byte> data = result.Buffer;
            int copied = Parse(ref data, buffer.Span, out bool needMore);

            // Examined all of it only when what is left is an incomplete frame: then wait for more.
            _input.AdvanceTo(data.Start, needMore ? data.End : data.Start);
            if (_pendingPong is { } pong)
            {
                _pendingPong = null;
                await SendControlAsync(WebSocketOpcode.Pong, pong, cancellationToken);
            }

            if (copied > 0)
            {
                return copied; // a violation or Close after these bytes fails the next read
            }

            if (_violation is null && !_readEof && result.IsCompleted)
            {
                _readFailure = new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                    _payloadLeft > 0 || !data.IsEmpty
                        ? "the peer closed the connection inside a WebSocket frame"
                        : "the peer closed the connection without a WebSocket Close frame");
            }
        }
    }

    /// <summary>Parses what <paramref name="data"/> holds; a violation is kept for the read to
    /// report once the bytes before it are delivered.</summary>
    private int Parse(ref ReadOnlySequence<byte> data, Span<byte> destination, out bool needMore)
    {
        int written = 0;
        needMore = false;
        try
        {
            return ParseFrames(ref data, destination, ref written, out needMore);
        }
        catch (WebSocketProtocolException ex)
        {
            _violation = ex;
            return written;
        }
    }

    /// <summary>Unmasks payload into <paramref name="destination"/> and handles the control frames
    /// met on the way; stops when the destination is full, the input runs out, or a Close arrived.</summary>
    private int ParseFrames(ref ReadOnlySequence<byte> data, Span<byte> destination, ref int written, out bool needMore)
    {
        needMore = false;
        while (true)
        {
            if (_payloadLeft > 0)
            {
                int room = destination.Length - written;
                if (room == 0 || data.IsEmpty)
                {
                    return written;
                }

                long take = Math.Min(Math.Min(_payloadLeft, room), data.Length);
                foreach (ReadOnlyMemory<byte> segment in data.Slice(0, take))
                {
                    _maskOffset = WebSocketFrames.UnmaskCopy(segment.Span, destination[written..], _maskKey, _maskOffset);
                    written += segment.Length;
                }

                data = data.Slice(take);
                _payloadLeft -= take;
                continue;
            }

            if (_readEof || _readFailure is not null || _violation is not null)
            {
                return written;
            }

            if (!WebSocketFrames.TryReadHeader(data, out WebSocketFrameHeader header))
            {
                needMore = true;
                return written;
            }

            Validate(header);
            if (header.IsControl)
            {
                long frameLength = header.HeaderLength + header.PayloadLength;
                if (data.Length < frameLength)
                {
                    needMore = true;
                    return written;
                }

                byte[] payload = new byte[header.PayloadLength];
                ReadOnlySequence<byte> masked = data.Slice(header.HeaderLength, header.PayloadLength);
                int offset = 0;
                foreach (ReadOnlyMemory<byte> segment in masked)
                {
                    WebSocketFrames.UnmaskCopy(segment.Span, payload.AsSpan(offset), header.MaskKey, offset);
                    offset += segment.Length;
                }

                data = data.Slice(frameLength);
                OnControlFrame(header.Opcode, payload);
                continue;
            }

            _inMessage = !header.Fin;
            data = data.Slice(header.HeaderLength);
            _payloadLeft = header.PayloadLength;
            _maskKey = header.MaskKey;
            _maskOffset = 0;
        }
    }

    private void Validate(in WebSocketFrameHeader header)
    {
        if (header.Reserved != 0)
        {
            throw new WebSocketProtocolException("a frame with reserved bits set, but no extension was negotiated (RFC 6455 §5.2)");
        }

        if (!header.Masked)
        {
            throw new WebSocketProtocolException("an unmasked frame from the client (RFC 6455 §5.1)");
        }

        switch (header.Opcode)
        {
            case WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong:
                if (!header.Fin)
                {
                    throw new WebSocketProtocolException("a fragmented control frame (RFC 6455 §5.5)");
                }

                if (header.PayloadLength > WebSocketFrames.MaxControlPayload)
                {
                    throw new WebSocketProtocolException($"a control frame of {header.PayloadLength} bytes; at most {WebSocketFrames.MaxControlPayload} (RFC 6455 §5.5)");
                }

                break;
            case WebSocketOpcode.Binary when _inMessage:
                throw new WebSocketProtocolException("a new message before the previous one ended (RFC 6455 §5.4)");
            case WebSocketOpcode.Continuation when !_inMessage:
                throw new WebSocketProtocolException("a continuation frame with no message to continue (RFC 6455 §5.4)");
            case WebSocketOpcode.Binary or WebSocketOpcode.Continuation:
                break;
            case WebSocketOpcode.Text:
                throw new WebSocketProtocolException("a text message where only binary messages are allowed (SPEC.md §1)");
            default:
                throw new WebSocketProtocolException($"a frame with the reserved opcode 0x{(byte)header.Opcode:X} (RFC 6455 §5.2)");
        }
    }

    private void OnControlFrame(WebSocketOpcode opcode, byte[] payload)
    {
        switch (opcode)
        {
            case WebSocketOpcode.Ping:
                _pendingPong = payload; // §5.5.3: answering the latest ping is enough
                break;
            case WebSocketOpcode.Close:
                OnClose(payload);
                break;
            default:
                break; // an unsolicited Pong is a heartbeat: nothing to answer
        }
    }

    /// <summary>§5.5.1, §7.4: a normal Close (or one without a status) is EOF; any other status
    /// ends the stream with a <see cref="WebSocketClosedException"/> carrying it.</summary>
    private void OnClose(byte[] payload)
    {
        if (payload.Length == 1)
        {
            throw new WebSocketProtocolException("a Close frame with a 1-byte payload (RFC 6455 §5.5.1)");
        }

        _readEof = true;
        if (payload.Length == 0)
        {
            return;
        }

        int status = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsValidCloseStatus(status))
        {
            throw new WebSocketProtocolException($"a Close frame with status {status}, which no endpoint may send (RFC 6455 §7.4)");
        }

        string reason;
        try
        {
            reason = StrictUtf8.GetString(payload, 2, payload.Length - 2);
        }
        catch (DecoderFallbackException)
        {
            throw new WebSocketProtocolException("a Close frame whose reason is not UTF-8 (RFC 6455 §5.5.1)");
        }

        if (status != (int)WebSocketCloseStatus.NormalClosure)
        {
            _readFailure = new WebSocketClosedException((WebSocketCloseStatus)status, reason);
        }
    }

    /// <summary>§7.4.1 and the IANA registry: 1000–1003, 1007–1014 and the 3000–4999 range for
    /// libraries and applications (SPEC.md §1 uses 4000 + a mux code).</summary>
    private static bool IsValidCloseStatus(int status) =>
        status is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    /// <summary>Tells the client what it broke (Close 1002) and fails this and every later read.</summary>
    private async ValueTask FailAsync(WebSocketProtocolException error, CancellationToken cancellationToken)
    {
        _readFailure = new WebSocketException(WebSocketError.Faulted, "the client broke the WebSocket protocol: " + error.Message, error);
        try
        {
            await CloseOutputAsync(WebSocketCloseStatus.ProtocolError, error.Message, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // the connection is going anyway; the read's failure says why
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        await EnterWriteAsync(cancellationToken);
        try
        {
            if (_closeSent)
            {
                throw new IOException("the WebSocket is closed for sending: its Close frame has gone out");
            }

            WriteFrame(WebSocketOpcode.Binary, buffer.Span);
            await FlushOutputAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Half-close: a normal Close frame; reading goes on until the peer's.</summary>
    public override ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default) =>
        CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);

    /// <summary>Sends our Close frame with a status and reason (trimmed to fit); once only.</summary>
    public async ValueTask CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken = default)
    {
        await EnterWriteAsync(cancellationToken);
        try
        {
            if (_closeSent)
            {
                return;
            }

            _closeSent = true;
            string trimmed = WebSocketDuplexStream.TrimReason(reason);
            byte[] payload = new byte[2 + Encoding.UTF8.GetByteCount(trimmed)];
            BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
            Encoding.UTF8.GetBytes(trimmed, payload.AsSpan(2));
            WriteFrame(WebSocketOpcode.Close, payload);
            await FlushOutputAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async ValueTask SendControlAsync(WebSocketOpcode opcode, byte[] payload, CancellationToken cancellationToken)
    {
        await EnterWriteAsync(cancellationToken);
        try
        {
            if (!_closeSent)
            {
                WriteFrame(opcode, payload);
                await FlushOutputAsync(cancellationToken);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private ValueTask EnterWriteAsync(CancellationToken cancellationToken) =>
        _writeGate.Wait(0, CancellationToken.None) ? ValueTask.CompletedTask : new ValueTask(_writeGate.WaitAsync(cancellationToken));

    /// <summary>One final frame, header and payload copied into the output's own memory.</summary>
    private void WriteFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        Span<byte> span = _output.GetSpan(WebSocketFrames.MaxHeaderSize);
        _output.Advance(WebSocketFrames.WriteHeader(span, opcode, payload.Length));
        while (!payload.IsEmpty)
        {
            span = _output.GetSpan();
            int count = Math.Min(span.Length, payload.Length);
            payload[..count].CopyTo(span);
            _output.Advance(count);
            payload = payload[count..];
        }
    }

    private async ValueTask FlushOutputAsync(CancellationToken cancellationToken)
    {
        FlushResult result = await _output.FlushAsync(cancellationToken);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the WebSocket's write was cancelled");
        }

        if (result.IsCompleted)
        {
            throw new IOException("the connection is closed: nothing more can be sent");
        }
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
