using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Tests.Support;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>A session facing a peer that breaks SPEC.md: hand-crafted bytes in, the session's
/// answer read back off the wire. Link errors end with GOAWAY; stream errors with RST only.</summary>
public sealed class MuxSessionHostileInputTests
{
    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(5)]                        // inside the header
    [InlineData(MuxLimits.HeaderSize + 3)] // inside the payload
    public async Task TruncatedFrameThenEof_EndsTheLinkWithATruncationProtocolError(int sent)
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        byte[] frame = FrameBytes.Write(w => MuxFrameWriter.WritePing(w, 42, ack: false));

        await peer.SendRawAsync(frame[..sent]);
        await peer.CompleteWritesAsync();
        MuxLinkEnd end = await session.Completion.WaitAsync(TestTimeouts.Event);

        Assert.Equal(MuxErrorCode.ProtocolError, end.Code);
        Assert.Contains("truncated", end.Reason, StringComparison.Ordinal);
        Assert.False(end.ByPeer);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task OversizedFrame_EndsTheLinkWithGoAwayFrameSizeError()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;

        await peer.SendHeaderAsync(MuxLimits.MaxPayload + 1, (byte)MuxFrameType.Data, 0, 1);

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.FrameSizeError, "exceeds");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task UnknownFrameType_EndsTheLinkWithGoAwayProtocolError()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;

        await peer.SendHeaderAsync(0, 0x0A, 0, 0);

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.ProtocolError, "unknown frame type");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(5u, 3u)]
    [InlineData(5u, 5u)]
    public async Task StreamIdReuse_EndsTheLinkWithGoAwayProtocolError(uint first, uint second)
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;

        await peer.SendSynAsync(first);
        await peer.SendSynAsync(second);

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.ProtocolError, "reuse");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(MuxFrameType.Data)]
    [InlineData(MuxFrameType.WindowUpdate)]
    [InlineData(MuxFrameType.Rst)]
    public async Task FrameForANeverOpenedStream_EndsTheLinkWithGoAwayProtocolError(MuxFrameType type)
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);

        await peer.SendAsync(w =>
        {
            switch (type)
            {
                case MuxFrameType.Data: MuxFrameWriter.WriteData(w, 9, "x"u8, fin: false); break;
                case MuxFrameType.WindowUpdate: MuxFrameWriter.WriteWindowUpdate(w, 9, 1); break;
                default: MuxFrameWriter.WriteRst(w, 9, MuxErrorCode.Cancel, ""); break;
            }
        });

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.ProtocolError, "never opened");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DataBeyondTheStreamWindow_ResetsThatStreamOnly()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);
        await peer.SendSynAsync(3);
        MuxStream flooded = (await session.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event))!;
        MuxStream other = (await session.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event))!;

        await peer.SendDataAsync(1, MuxLimits.InitialStreamWindow + 1);
        RawFrame rst = await peer.ExpectAsync(MuxFrameType.Rst);
        await peer.SendAsync(w => MuxFrameWriter.WriteData(w, 3, "still fine"u8, fin: true));

        Assert.Equal((1u, MuxErrorCode.FlowControlError), (rst.StreamId, rst.Code));
        Assert.Equal("still fine"u8.ToArray(), await Payload.ReadToEndAsync(other).WaitAsync(TestTimeouts.Event));
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => flooded.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(MuxErrorCode.FlowControlError, error.Code);
        Assert.True(session.IsOpen);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DataBeyondTheLinkWindow_EndsTheLinkWithGoAwayFlowControlError()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        uint fullStreams = MuxLimits.InitialLinkWindow / MuxLimits.InitialStreamWindow;
        for (uint id = 1; id <= fullStreams; id++)
        {
            await peer.SendSynAsync(id);
            await peer.SendDataAsync(id, MuxLimits.InitialStreamWindow); // each within its stream window
        }

        await peer.SendSynAsync(fullStreams + 1);
        await peer.SendDataAsync(fullStreams + 1, 1); // one byte past the link window

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.FlowControlError, "link window");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task StreamWindowUpdatePast2To31_ResetsThatStreamWithFlowControlError()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);

        await peer.SendAsync(w => MuxFrameWriter.WriteWindowUpdate(w, 1, int.MaxValue));
        RawFrame rst = await peer.ExpectAsync(MuxFrameType.Rst);

        Assert.Equal((1u, MuxErrorCode.FlowControlError), (rst.StreamId, rst.Code));
        await AssertLinkAnswersPingAsync(peer);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task LinkWindowUpdatePast2To31_EndsTheLinkWithFlowControlError()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;

        await peer.SendAsync(w => MuxFrameWriter.WriteWindowUpdate(w, 0, int.MaxValue));

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.FlowControlError, "2^31-1");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(0u)]
    [InlineData(1u)]
    public async Task WindowUpdateOfZero_EndsTheLinkWithGoAwayProtocolError(uint streamId)
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);

        await peer.SendAsync(w => MuxFrameWriter.WriteWindowUpdate(w, streamId, 0));

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.ProtocolError, "increment 0");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task MalformedSyn_ResetsThatStreamAndTheLinkGoesOn()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;

        await peer.SendHeaderAsync(3, (byte)MuxFrameType.Syn, 0, 1, 0x01, 0x00, 0x09); // a hostname field claiming 9 bytes it lacks
        RawFrame rst = await peer.ExpectAsync(MuxFrameType.Rst);
        await peer.SendSynAsync(3, "next.example.com");
        MuxStream? next = await session.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event);

        Assert.Equal((1u, MuxErrorCode.ProtocolError), (rst.StreamId, rst.Code));
        Assert.Contains("malformed open message", rst.Reason, StringComparison.Ordinal);
        Assert.Equal((3u, "next.example.com"), (next!.Id, next.Open.Hostname));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DataAfterFin_ResetsTheStreamWithProtocolError()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);

        await peer.SendAsync(w => MuxFrameWriter.WriteData(w, 1, "last"u8, fin: true));
        await peer.SendAsync(w => MuxFrameWriter.WriteData(w, 1, "more"u8, fin: false));
        RawFrame rst = await peer.ExpectAsync(MuxFrameType.Rst);

        Assert.Equal((1u, MuxErrorCode.ProtocolError), (rst.StreamId, rst.Code));
        await AssertLinkAnswersPingAsync(peer);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task FramesForAResetStream_AreDiscardedSilently()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);
        await peer.SendAsync(w => MuxFrameWriter.WriteRst(w, 1, MuxErrorCode.Cancel, "client left"));

        await peer.SendAsync(w => MuxFrameWriter.WriteData(w, 1, "crossed the RST"u8, fin: true));
        await peer.SendAsync(w => MuxFrameWriter.WriteWindowUpdate(w, 1, 1_000));
        await peer.SendAsync(w => MuxFrameWriter.WriteRst(w, 1, MuxErrorCode.Cancel, "again"));
        var skipped = new List<RawFrame>();
        await peer.SendPingAsync(7);
        RawFrame pong = await peer.ExpectAsync(MuxFrameType.Ping, skipped);

        Assert.DoesNotContain(skipped, frame => frame.Type is MuxFrameType.Rst or MuxFrameType.GoAway);
        Assert.True(pong.Header.HasFlag(MuxFrameFlags.PingAck));
        Assert.True(session.IsOpen);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DataForAResetStream_StillReturnsItsLinkCredit()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;
        await peer.SendSynAsync(1);
        await peer.SendAsync(w => MuxFrameWriter.WriteRst(w, 1, MuxErrorCode.Cancel, ""));

        await peer.SendDataAsync(1, MuxLimits.InitialLinkWindow / 2); // half the link window: an update is due
        RawFrame update = await peer.ExpectAsync(MuxFrameType.WindowUpdate);

        Assert.Equal(0u, update.StreamId);
        Assert.True(MuxFrameReader.ReadUInt32(new(update.Payload)) >= MuxLimits.InitialLinkWindow / 2);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task SynAfterTheAcceptorsGoAway_IsRefusedWithRefusedStream()
    {
        var (session, peer) = RawMuxPeer.Start(MuxRole.Acceptor);
        await using var _ = session;
        await using var __ = peer;

        session.GoAway("connector draining");
        RawFrame goAway = await peer.ExpectAsync(MuxFrameType.GoAway);
        await peer.SendSynAsync(1);
        RawFrame rst = await peer.ExpectAsync(MuxFrameType.Rst);

        Assert.Equal(MuxErrorCode.NoError, goAway.Code);
        Assert.Equal((1u, MuxErrorCode.RefusedStream), (rst.StreamId, rst.Code));
        await AssertLinkAnswersPingAsync(peer);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(MuxRole.Opener, MuxFrameType.Syn)]
    [InlineData(MuxRole.Acceptor, MuxFrameType.Ack)]
    public async Task FrameOnlyTheOtherRoleMayReceive_EndsTheLinkWithProtocolError(MuxRole role, MuxFrameType type)
    {
        var (session, peer) = RawMuxPeer.Start(role);
        await using var _ = session;
        await using var __ = peer;
        if (type == MuxFrameType.Ack)
        {
            await peer.SendSynAsync(1);
        }

        await peer.SendAsync(w =>
        {
            if (type == MuxFrameType.Syn)
            {
                MuxFrameWriter.WriteSyn(w, 1, new OpenMessage("a.example", Guid.NewGuid()));
            }
            else
            {
                MuxFrameWriter.WriteAck(w, 1);
            }
        });

        await AssertLinkEndsAsync(session, peer, MuxErrorCode.ProtocolError, "only the");
    }

    /// <summary>The session sends GOAWAY with <paramref name="code"/>, closes its output, and its
    /// Completion names the same error.</summary>
    private static async Task AssertLinkEndsAsync(MuxSession session, RawMuxPeer peer, MuxErrorCode code, string reasonPart)
    {
        RawFrame goAway = await peer.ExpectAsync(MuxFrameType.GoAway);
        Assert.Equal(code, goAway.Code);
        Assert.Contains(reasonPart, goAway.Reason, StringComparison.Ordinal);
        Assert.Empty(await peer.ReadToEndAsync());
        MuxLinkEnd end = await session.Completion.WaitAsync(TestTimeouts.Event);
        Assert.Equal(new MuxLinkEnd(code, goAway.Reason, ByPeer: false), end);
    }

    private static async Task AssertLinkAnswersPingAsync(RawMuxPeer peer)
    {
        await peer.SendPingAsync(0x5EED);
        RawFrame pong = await peer.ExpectAsync(MuxFrameType.Ping);
        Assert.True(pong.Header.HasFlag(MuxFrameFlags.PingAck));
        Assert.Equal(0x5EED, MuxFrameReader.ReadInt64(new(pong.Payload)));
    }
}
