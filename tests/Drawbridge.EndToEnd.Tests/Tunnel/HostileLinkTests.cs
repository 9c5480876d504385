using System.Net.Sockets;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Transport;

using static Drawbridge.EndToEnd.Tests.Harness.RawLinkFrames;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>A link that speaks garbage to the real edge gets a GOAWAY naming its error and is
/// closed; the tunnel's healthy links and users' connections are not disturbed.</summary>
public sealed class HostileLinkTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30); // under the tests' 60 s, so a miss reports the log
    private EchoServer _echo = null!;
    private DrawbridgeStack _stack = null!;
    private TunnelCredential _tunnel = null!;
    private ForwarderHandle _users = null!;

    public async Task InitializeAsync()
    {
        _echo = EchoServer.Start();
        _stack = await DrawbridgeStack.StartAsync();
        _tunnel = await _stack.CreateTunnelAsync("mixed", "mixed.test");
        await _stack.StartConnectorAsync(_tunnel, DrawbridgeStack.To(_echo.EndPoint));
        _users = _stack.StartForwarder("mixed.test", await _stack.CreateServiceTokenAsync());
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _echo.DisposeAsync();
    }

    public static TheoryData<string, byte[], MuxErrorCode, string> Garbage => new()
    {
        { "unknown type", Header(0, 0x9, 0, 0), MuxErrorCode.ProtocolError, "unknown frame type 0x09" },
        { "oversized", Header(70_000, (byte)MuxFrameType.Data, 0, 1), MuxErrorCode.FrameSizeError, "exceeds" },
        { "stream frame on stream 0", Header(0, (byte)MuxFrameType.Ack, 0, 0), MuxErrorCode.ProtocolError, "needs a stream" },
        { "SYN sent to the edge", [.. Header(0, (byte)MuxFrameType.Syn, 0, 1)], MuxErrorCode.ProtocolError, "only the acceptor" },
        { "window update of zero", [.. Header(4, (byte)MuxFrameType.WindowUpdate, 0, 0), 0, 0, 0, 0], MuxErrorCode.ProtocolError, "increment 0" },
        { "data for a stream never opened", [.. Header(1, (byte)MuxFrameType.Data, 0, 77), 42], MuxErrorCode.ProtocolError, "never opened" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Garbage))]
    public async Task MalformedFrame_EndsOnlyThatLinkWithANamedError(string what, byte[] frame, MuxErrorCode code, string reason)
    {
        await using WebSocketDuplexStream link = await OpenRawLinkAsync();

        await link.WriteAsync(frame);
        (MuxErrorCode sentCode, string sentReason) = await ReadGoAwayAsync(link);

        Assert.True(sentCode == code, $"{what}: expected {code}, got {sentCode} ({sentReason})");
        Assert.Contains(reason, sentReason, StringComparison.Ordinal);
        await _stack.Logs.WaitForAsync(l => l.Contains("ended", StringComparison.Ordinal) && l.Contains(reason, StringComparison.Ordinal), Limit);
        await AssertUsersStillServedAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task TruncatedFrameThenClose_IsLoggedAsTruncatedAndHarmsNoOne()
    {
        await using (WebSocketDuplexStream link = await OpenRawLinkAsync())
        {
            await link.WriteAsync(Header(100, (byte)MuxFrameType.Data, 0, 1).AsMemory(0, 5));
            await link.CompleteWritesAsync();

            // Keep the socket until the edge has read our Close and closed its side: disposing at
            // once could reset the connection before the edge reads the Close (a broken link,
            // not a truncated frame).
            byte[] sink = new byte[4096];
            try
            {
                while (await link.ReadAsync(sink).AsTask().WaitAsync(Limit) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.WebSockets.WebSocketException)
            {
                // the edge ended the link after its GOAWAY: done either way
            }
        }

        await _stack.Logs.WaitForAsync(l => l.Contains("truncated", StringComparison.Ordinal), Limit);
        await AssertUsersStillServedAsync();
    }

    private async Task<WebSocketDuplexStream> OpenRawLinkAsync()
    {
        var dialer = new EdgeWebSocketDialer(
            new EdgeEndpoint(DrawbridgeStack.EdgeHostname, 443, "127.0.0.1", _stack.Edge.Port),
            new EdgeDialerOptions { CaCertificatePem = _stack.CaPem, PreferHttp2 = false });
        WebSocketDuplexStream link = await dialer.DialAsync(WireNames.TunnelPath,
            [new("Authorization", _tunnel.AuthorizationHeaderValue), new(WireNames.LinkIndexHeader, "9")],
            WireNames.MuxSubProtocol, TimeSpan.Zero, CancellationToken.None);
        await _stack.WaitForLinksAsync(_tunnel.TunnelId, 3);
        return link;
    }

    private async Task AssertUsersStillServedAsync()
    {
        for (int i = 0; i < 5; i++)
        {
            using TcpClient client = await _users.ConnectAsync();
            byte[] request = System.Text.Encoding.UTF8.GetBytes($"user {i}");
            Assert.Equal(request, await client.ExchangeAsync(request, 100, CancellationToken.None).WaitAsync(Limit));
        }
    }
}
