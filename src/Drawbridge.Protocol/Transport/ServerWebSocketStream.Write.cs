using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Transport;

/// <summary>Writing: each write one binary frame, straight into the output.</summary>
public sealed partial class ServerWebSocketStream
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no box per call that waits (BENCH.md: nothing per frame)
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!buffer.IsEmpty && !await SendFrameAsync(WebSocketOpcode.Binary, buffer, closing: false, cancellationToken))
        {
            throw new IOException("the WebSocket is closed for sending: its Close frame has gone out");
        }
    }

    /// <summary>Half-close: a normal Close frame; reading goes on until the peer's.</summary>
    public override ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default) =>
        CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);

    /// <summary>Sends our Close frame with a status and reason (trimmed to fit); once only.</summary>
    public async ValueTask CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken = default)
    {
        string trimmed = WebSocketDuplexStream.TrimReason(reason);
        byte[] payload = new byte[2 + Encoding.UTF8.GetByteCount(trimmed)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        Encoding.UTF8.GetBytes(trimmed, payload.AsSpan(2));
        await SendFrameAsync(WebSocketOpcode.Close, payload, closing: true, cancellationToken);
    }

    /// <summary>
    /// One final frame, header and payload copied into one block of the output's own memory, then flushed.
    /// Data, Pongs and Close take turns at one gate; nothing follows our Close (false when it
    /// has gone out already).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no box per call that waits (BENCH.md: nothing per frame)
    private async ValueTask<bool> SendFrameAsync(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, bool closing, CancellationToken cancellationToken)
    {
        if (!_writeGate.Wait(0, CancellationToken.None))
        {
            await _writeGate.WaitAsync(cancellationToken);
        }

        try
        {
            if (_closeSent)
            {
                return false;
            }

            _closeSent = closing;
            // Room for the whole frame in one block of the output first: the TLS layer under it
            // writes a block at a time, one record per 16 KiB of it, so a full DATA frame leaves as
            // four full records rather than five or six spread over the blocks it would straddle.
            // A larger frame (the link sends none) is laid over several blocks, not given one its size.
            _output.GetSpan(Math.Min(WebSocketFrames.ServerHeaderSize(payload.Length) + payload.Length, MuxLimits.DataMessageSize));
            _output.Advance(WebSocketFrames.WriteHeader(_output.GetSpan(WebSocketFrames.MaxHeaderSize), opcode, payload.Length));
            _output.Write(payload.Span);
            FlushResult result = await _output.FlushAsync(cancellationToken);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("the WebSocket's write was cancelled");
            }

            if (result.IsCompleted)
            {
                throw new IOException("the connection is closed: nothing more can be sent");
            }

            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
