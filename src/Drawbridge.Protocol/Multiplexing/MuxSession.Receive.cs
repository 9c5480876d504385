using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Multiplexing;

public sealed partial class MuxSession
{
    /// <summary>Read size from the transport: a full frame plus its header fits in one read.</summary>
    private const int ReadBufferSize = MuxLimits.MaxPayload + MuxLimits.HeaderSize;

    private long _bytesReceived;

    private async Task ReadLoopAsync()
    {
        PipeReader input = PipeReader.Create(_transport, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 4096, leaveOpen: true));
        MuxLinkEnd end;
        try
        {
            end = await ReadFramesAsync(input, _readCancel.Token);
        }
        catch (MuxProtocolException ex)
        {
            // §3: a malformed frame ends the link with a named error, sent to the peer first.
            end = new MuxLinkEnd(ex.Code, ex.Message, ByPeer: false);
            Terminate(end, sendGoAway: true);
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            end = new MuxLinkEnd(MuxErrorCode.LinkLost, ex is OperationCanceledException ? "the link was closed" : "the link broke: " + ex.Message, ByPeer: false);
        }
        catch (Exception ex)
        {
            // Neither the peer's doing nor the network's: a bug here. End the link and say so.
            end = new MuxLinkEnd(MuxErrorCode.InternalError, "reading the link failed: " + ex.Message, ByPeer: false);
            Terminate(end, sendGoAway: true);
        }

        Terminate(end, sendGoAway: false);
        await input.CompleteAsync();
    }

    private async Task<MuxLinkEnd> ReadFramesAsync(PipeReader input, CancellationToken cancel)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancel);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long before = buffer.Length;
            while (MuxFrameReader.TryReadFrame(ref buffer, out MuxFrameHeader header, out ReadOnlySequence<byte> payload))
            {
                Dispatch(header, payload);
            }

            Interlocked.Add(ref _bytesReceived, before - buffer.Length);
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"the link ended inside a frame ({buffer.Length} bytes of a truncated frame)");
                }

                // A GOAWAY before the end says why; without one the peer just went away.
                return _peerGoAway.Task.IsCompleted
                    ? _peerGoAway.Task.Result
                    : new MuxLinkEnd(MuxErrorCode.LinkLost, "the peer closed the link", ByPeer: true);
            }
        }
    }

    private void Dispatch(MuxFrameHeader header, ReadOnlySequence<byte> payload)
    {
        switch (header.Type)
        {
            case MuxFrameType.Data:
                OnData(header, payload);
                break;
            case MuxFrameType.Syn:
                OnSyn(header.StreamId, payload);
                break;
            case MuxFrameType.Ack:
                RequireRole(MuxRole.Opener, header);
                FindOpenedStream(header.StreamId)?.OnAck();
                break;
            case MuxFrameType.WindowUpdate:
                OnWindowUpdate(header.StreamId, MuxFrameReader.ReadUInt32(payload));
                break;
            case MuxFrameType.Rst:
                var (code, reason) = MuxFrameReader.ReadCodeAndReason(payload);
                FindOpenedStream(header.StreamId)?.OnReset(new MuxStreamException(code, reason, byPeer: true));
                break;
            case MuxFrameType.Ping:
                OnPing(header, MuxFrameReader.ReadInt64(payload));
                break;
            case MuxFrameType.GoAway:
                var (goAwayCode, goAwayReason) = MuxFrameReader.ReadCodeAndReason(payload);
                _peerGoAway.TrySetResult(new MuxLinkEnd(goAwayCode, goAwayReason, ByPeer: true));
                break;
        }
    }

    private void OnData(MuxFrameHeader header, ReadOnlySequence<byte> payload)
    {
        int length = (int)payload.Length;
        MuxStream? stream;
        lock (_sync)
        {
            if (!_linkReceive.TryReceive(length))
            {
                throw new MuxProtocolException(MuxErrorCode.FlowControlError, $"the peer sent {length} bytes beyond the link window of {_linkReceive.Size}");
            }

            stream = FindOpenedStream(header.StreamId);
        }

        if (stream is null)
        {
            // §3: data that crossed our RST; its credit still goes back to the link.
            OnLinkConsumed(length);
            return;
        }

        stream.OnData(payload, header.HasFlag(Framing.MuxFrameFlags.Fin));
    }

    private void OnSyn(uint streamId, ReadOnlySequence<byte> payload)
    {
        RequireRole(MuxRole.Acceptor, new MuxFrameHeader(0, MuxFrameType.Syn, 0, streamId));
        if (streamId <= _highestStreamId)
        {
            throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"stream id reuse: SYN for stream {streamId} after stream {_highestStreamId}");
        }

        _highestStreamId = streamId;
        OpenMessage open;
        try
        {
            open = OpenMessage.Parse(payload);
        }
        catch (MuxStreamException ex)
        {
            // §4: a bad open message resets that stream only.
            SendRst(streamId, ex.Code, ex.Reason);
            return;
        }

        if (!IsOpen)
        {
            SendRst(streamId, MuxErrorCode.RefusedStream, (_goAwayReason ?? "draining") + "; retry on another link");
            return;
        }

        var stream = new MuxStream(this, streamId, open);
        lock (_sync)
        {
            _streams.Add(streamId, stream);
        }

        _accepted.Writer.TryWrite(stream);
    }

    private void OnWindowUpdate(uint streamId, uint increment)
    {
        if (increment is 0 or > int.MaxValue)
        {
            throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"WINDOW_UPDATE with increment {increment}; allowed 1 to 2^31-1");
        }

        if (streamId == 0)
        {
            AddLinkCredit((int)increment);
            return;
        }

        FindOpenedStream(streamId)?.AddSendCredit((int)increment);
    }

    /// <summary>The live stream with this id; null for one that has ended (§3: discard silently).
    /// An id never opened is a link error.</summary>
    private MuxStream? FindOpenedStream(uint streamId)
    {
        lock (_sync)
        {
            if (streamId > _highestStreamId)
            {
                throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"frame for stream {streamId}, which was never opened");
            }

            return _streams.GetValueOrDefault(streamId);
        }
    }

    private void RequireRole(MuxRole role, MuxFrameHeader header)
    {
        if (Role != role)
        {
            throw new MuxProtocolException(MuxErrorCode.ProtocolError, $"{header.Type} frame sent to the {Role.ToString().ToLowerInvariant()}, which only the {role.ToString().ToLowerInvariant()} may receive");
        }
    }
}
