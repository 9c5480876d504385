using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Drawbridge.Protocol.Transport;

/// <summary>Reading: frames parsed and unmasked from the input, control frames answered, the
/// client's breaches of RFC 6455 named.</summary>
public sealed partial class ServerWebSocketStream
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no box per call that waits (BENCH.md: nothing per frame)
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
                await SendFrameAsync(WebSocketOpcode.Pong, pong, closing: false, cancellationToken);
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

    /// <summary>Unmasks payload into <paramref name="destination"/> and handles the control frames
    /// met on the way; stops when the destination is full, the input runs out, or a Close arrived.
    /// A violation is kept for the read to report once the bytes before it are delivered.</summary>
    private int Parse(ref ReadOnlySequence<byte> data, Span<byte> destination, out bool needMore)
    {
        needMore = false;
        int written = 0;
        try
        {
            while (true)
            {
                if (_payloadLeft > 0)
                {
                    long take = Math.Min(Math.Min(_payloadLeft, destination.Length - written), data.Length);
                    if (take == 0)
                    {
                        return written;
                    }

                    _maskOffset = WebSocketFrames.UnmaskCopy(data.Slice(0, take), destination[written..], _maskKey, _maskOffset);
                    written += (int)take;
                    data = data.Slice(take);
                    _payloadLeft -= take;
                    continue;
                }

                if (_readEof || _readFailure is not null)
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
                    WebSocketFrames.UnmaskCopy(data.Slice(header.HeaderLength, header.PayloadLength), payload, header.MaskKey, 0);
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
        catch (WebSocketProtocolException ex)
        {
            _violation = ex;
            return written;
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
}
