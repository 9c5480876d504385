using System.Buffers;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

using static Drawbridge.EndToEnd.Tests.Harness.RawLinkFrames;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>
/// SPEC.md §8: a client carries all its connections to one hostname on one link; each stream is
/// decided again at the edge and relayed to a connector stream; a client that speaks garbage on
/// its link harms no one else.
/// </summary>
public sealed class ClientLinkTests : IAsyncLifetime
{
    private const string Hostname = "linked.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private EchoServer _echo = null!;
    private DrawbridgeStack _stack = null!;
    private TunnelCredential _tunnel = null!;
    private ServiceTokenPair _token = null!;

    public async Task InitializeAsync()
    {
        _echo = EchoServer.Start();
        _stack = await DrawbridgeStack.StartAsync();
        _tunnel = await _stack.CreateTunnelAsync("linked", Hostname, "other.test");
        await _stack.StartConnectorAsync(_tunnel, DrawbridgeStack.To(_echo.EndPoint));
        _token = await _stack.CreateServiceTokenAsync("linker");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyConnections_ShareOneLink_EachLoggedAsItsOwnConnection()
    {
        ForwarderHandle forwarder = _stack.StartForwarder(Hostname, _token);
        for (int i = 0; i < 5; i++)
        {
            using TcpClient client = await forwarder.ConnectAsync();
            byte[] request = System.Text.Encoding.UTF8.GetBytes($"connection {i}");
            Assert.Equal(request, await client.ExchangeAsync(request, 100, CancellationToken.None).WaitAsync(Limit));
        }

        await _stack.Logs.WaitForAsync(_ => Ended().Length == 5, Limit);
        string[] ended = Ended();

        Assert.Single(_stack.Edge.Runtime.ClientLinks);
        Assert.Equal(5, ended.Select(l => l.Split("Connection ")[1].Split(' ')[0]).Distinct().Count()); // five audit ids
        Assert.Single(ended.Select(l => l.Split(" from ")[1].Split(' ')[0]).Distinct()); // one TLS connection
        Assert.All(ended, l => Assert.Contains("over link/HTTP/1.1: closed after", l, StringComparison.Ordinal));

        string[] Ended() => [.. _stack.Logs.Lines.Where(l => l.Contains($"to {Hostname} by service-token:linker", StringComparison.Ordinal) && l.Contains(": closed after", StringComparison.Ordinal))];
    }

    [Fact(Timeout = 60_000)]
    public async Task HalfClose_CrossesTheLink_TheOriginsLateReplyArrives()
    {
        await using var origin = ReplyAfterEofServer.Start();
        var tunnel = await _stack.CreateTunnelAsync("late", "late.test");
        await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(origin.EndPoint));
        ForwarderHandle forwarder = _stack.StartForwarder("late.test", _token);
        using TcpClient client = await forwarder.ConnectAsync();

        NetworkStream stream = client.GetStream();
        await stream.WriteAsync("question"u8.ToArray());
        client.Client.Shutdown(SocketShutdown.Send);
        byte[] reply = await stream.ReadToEndAsync(origin.PayloadLength + 1024, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(origin.ExpectedReply("question"u8), reply);
    }

    [Fact(Timeout = 60_000)]
    public async Task LastFinRightBeforeTheClientStops_StillReachesTheOrigin()
    {
        var originSaw = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = LoopbackTcpServer.Start(async (socket, cancellationToken) =>
        {
            // The origin says everything and half-closes first; then it waits for the user's end.
            await socket.SendAsync("bye"u8.ToArray(), cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
            try
            {
                originSaw.TrySetResult(await socket.ReceiveAsync(new byte[16], cancellationToken) == 0 ? "eof" : "data");
            }
            catch (SocketException ex)
            {
                originSaw.TrySetResult("error " + ex.SocketErrorCode);
            }
        });
        var tunnel = await _stack.CreateTunnelAsync("polite", "polite.test");
        await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(origin.EndPoint));
        var dialer = new AccessDialer(new AccessOptions
        {
            Hostname = "polite.test",
            EdgeAddress = _stack.EdgeAddress,
            CaCertificatePem = _stack.CaPem,
            ServiceTokenId = _token.ClientId,
            ServiceTokenSecret = _token.Secret,
        });
        var (application, local) = await LoopbackPair.CreateAsync();
        Task<AccessResult> running = AccessConnection.RunAsync(dialer, local, CancellationToken.None);

        byte[] said = await application.ReadToEndAsync(100, CancellationToken.None).WaitAsync(Limit);
        application.Socket.Shutdown(SocketShutdown.Send); // the user's application ends last
        AccessResult result = await running.WaitAsync(Limit);
        dialer.Dispose(); // as `access tcp` does when it exits right after its last connection

        Assert.Equal("bye"u8.ToArray(), said);
        Assert.Equal(ConnectionOutcome.Closed, result.Outcome);
        Assert.Equal("eof", await originSaw.Task.WaitAsync(Limit));
        string line = await _stack.Logs.WaitForAsync(l => l.Contains("to polite.test", StringComparison.Ordinal) && l.Contains(" after ", StringComparison.Ordinal), Limit);
        Assert.Contains(": closed after", line, StringComparison.Ordinal);
        await application.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task RouteRemovedWhileTheLinkIsUp_TheNextConnectionIsToldNoRoute()
    {
        ForwarderHandle forwarder = _stack.StartForwarder(Hostname, _token);
        using (TcpClient first = await forwarder.ConnectAsync())
        {
            Assert.Equal("up"u8.ToArray(), await first.ExchangeAsync("up"u8.ToArray(), 10, CancellationToken.None).WaitAsync(Limit));
        }

        await _stack.Edge.State.Store.RemoveRouteAsync(Hostname, CancellationToken.None);
        await _stack.Edge.State.RefreshAsync(CancellationToken.None);
        AccessResult result = await RunOneAsync(forwarder);

        Assert.Equal(ConnectionOutcome.NoRoute, result.Outcome);
        Assert.Contains("no tunnel serves linked.test", result.Message, StringComparison.Ordinal);
        await _stack.Logs.WaitForAsync(l => l.Contains("no_route", StringComparison.Ordinal), Limit);
    }

    [Fact(Timeout = 60_000)]
    public async Task ServiceTokenRevoked_OpenStreamIsReset_AndTheNextConnectionIsRefusedAtTheUpgrade()
    {
        ForwarderHandle forwarder = _stack.StartForwarder(Hostname, _token);
        var (application, local) = await LoopbackPair.CreateAsync();
        Task<AccessResult> open = AccessConnection.RunAsync(forwarder.Dialer, local, CancellationToken.None);
        await application.WriteAsync("hi"u8.ToArray());
        byte[] echoed = new byte[2];
        await application.ReadExactlyAsync(echoed).AsTask().WaitAsync(Limit);

        await _stack.Edge.State.Store.RevokeServiceTokenAsync(_token.Id, CancellationToken.None);
        await _stack.Edge.State.RefreshAsync(CancellationToken.None);
        AccessResult revoked = await open.WaitAsync(Limit);
        AccessResult refused = await RunOneAsync(forwarder);

        Assert.Equal(ConnectionOutcome.AccessRevoked, revoked.Outcome);
        Assert.Contains("service token was revoked", revoked.Message, StringComparison.Ordinal);
        // The link was retired with its credential: the next connection dials anew and is refused there.
        Assert.Equal(ConnectionOutcome.Unauthenticated, refused.Outcome);
        Assert.Empty(_stack.Edge.Runtime.ClientLinks);
    }

    [Fact(Timeout = 60_000)]
    public async Task StreamRefusedForARevokedCredential_EndsTheLinkAtTheEdge()
    {
        await using WebSocketDuplexStream link = await OpenRawLinkAsync();
        await link.WriteAsync((byte[])[.. Syn(1, Hostname), .. Data(1, "one"u8, fin: true)]);
        (byte[] one, MuxErrorCode? oneReset) = await ReadStreamAsync(link, 1);
        Assert.Null(oneReset);
        Assert.Equal("one"u8.ToArray(), one);

        await _stack.Edge.State.Store.RevokeServiceTokenAsync(_token.Id, CancellationToken.None);
        await _stack.Edge.State.RefreshAsync(CancellationToken.None);
        await link.WriteAsync(Syn(3, Hostname));
        MuxErrorCode? reset = null, goAway = null;
        await foreach ((MuxFrameHeader header, ReadOnlySequence<byte> payload) in ReadFramesAsync(link))
        {
            if (header.Type == MuxFrameType.Rst && header.StreamId == 3)
            {
                reset = MuxFrameReader.ReadCodeAndReason(payload).Code;
            }
            else if (header.Type == MuxFrameType.GoAway)
            {
                goAway = MuxFrameReader.ReadCodeAndReason(payload).Code;
                break;
            }
        }

        Assert.Equal(MuxErrorCode.AccessRevoked, reset);
        Assert.Equal(MuxErrorCode.AccessRevoked, goAway);
    }

    [Fact(Timeout = 60_000)]
    public async Task ConnectorGone_TheNextStreamIsToldNoConnector()
    {
        var tunnel = await _stack.CreateTunnelAsync("lonely", "lonely.test");
        ConnectorHandle connector = await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(_echo.EndPoint));
        ForwarderHandle forwarder = _stack.StartForwarder("lonely.test", _token);
        using (TcpClient first = await forwarder.ConnectAsync())
        {
            Assert.Equal("up"u8.ToArray(), await first.ExchangeAsync("up"u8.ToArray(), 10, CancellationToken.None).WaitAsync(Limit));
        }

        await connector.DisposeAsync();
        while (_stack.Edge.Registry.LinksOf(tunnel.TunnelId).Any())
        {
            await _stack.Edge.Registry.WhenChanged().WaitAsync(Limit);
        }

        AccessResult result = await RunOneAsync(forwarder);

        Assert.Equal(ConnectionOutcome.NoConnector, result.Outcome);
        Assert.Contains("no connector online", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task WebSocketPerConnection_StillCarriesConnections()
    {
        ForwarderHandle forwarder = _stack.StartForwarder(Hostname, _token, webSocketPerConnection: true);
        using TcpClient client = await forwarder.ConnectAsync();

        Assert.Equal("own"u8.ToArray(), await client.ExchangeAsync("own"u8.ToArray(), 10, CancellationToken.None).WaitAsync(Limit));
        Assert.Empty(_stack.Edge.Runtime.ClientLinks);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpgradeWithoutTheSubprotocol_IsABadRequestThatSaysSo()
    {
        using HttpResponseMessage response = await UpgradeAsync(subProtocol: null, credential: true);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(WireNames.MuxSubProtocol, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_stack.Edge.Runtime.ClientLinks);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpgradeWithoutACredential_Is401AndOpensNoLink()
    {
        using HttpResponseMessage response = await UpgradeAsync(WireNames.MuxSubProtocol, credential: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthenticated", response.Headers.GetValues(WireNames.OutcomeHeader).Single());
        Assert.Empty(_stack.Edge.Runtime.ClientLinks);
    }

    [Fact(Timeout = 60_000)]
    public async Task SynForAnotherHostname_ResetsThatStreamOnly_TheLinkGoesOn()
    {
        await using WebSocketDuplexStream link = await OpenRawLinkAsync();

        await link.WriteAsync(Syn(1, "other.test"));
        (MuxFrameHeader reset, ReadOnlySequence<byte> payload) = await ReadFrameAsync(link, MuxFrameType.Rst);
        (MuxErrorCode code, string reason) = MuxFrameReader.ReadCodeAndReason(payload);
        await link.WriteAsync((byte[])[.. Syn(3, Hostname), .. Data(3, "still here"u8, fin: true)]);
        (byte[] echoed, MuxErrorCode? echoReset) = await ReadStreamAsync(link, 3);

        Assert.Equal(1u, reset.StreamId);
        Assert.Equal(MuxErrorCode.ProtocolError, code);
        Assert.Contains("not other.test", reason, StringComparison.Ordinal);
        Assert.Null(echoReset);
        Assert.Equal("still here"u8.ToArray(), echoed);
    }

    [Fact(Timeout = 60_000)]
    public async Task StreamsBeyondTheLinksLimit_AreRefused_UntilOneEnds()
    {
        await using var stack = await DrawbridgeStack.StartAsync(run: options => options with { MaxStreamsPerClientLink = 2 });
        var tunnel = await stack.CreateTunnelAsync("small", Hostname);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(_echo.EndPoint));
        await using WebSocketDuplexStream link = await OpenRawLinkAsync(stack, await stack.CreateServiceTokenAsync("small"));

        // Two streams held open (no FIN): the link is full.
        await link.WriteAsync((byte[])[.. Syn(1, Hostname), .. Data(1, "a"u8, fin: false), .. Syn(3, Hostname), .. Data(3, "b"u8, fin: false)]);
        await link.WriteAsync(Syn(5, Hostname));
        (MuxFrameHeader refused, ReadOnlySequence<byte> payload) = await ReadFrameAsync(link, MuxFrameType.Rst);
        (MuxErrorCode code, string reason) = MuxFrameReader.ReadCodeAndReason(payload);

        Assert.Equal(5u, refused.StreamId);
        Assert.Equal(MuxErrorCode.RefusedStream, code);
        Assert.Contains("already carries 2 connections", reason, StringComparison.Ordinal);

        // One ends (both FINs): a new stream fits again. The edge counts stream 1 out just after
        // sending its FIN, so a SYN right behind that FIN may still be refused: retry, as a client may.
        await link.WriteAsync(Data(1, ""u8, fin: true));
        Assert.Null((await ReadStreamAsync(link, 1)).Reset); // to its FIN (its echo may have come with the RST above)
        (byte[] Data, MuxErrorCode? Reset) again = ([], MuxErrorCode.RefusedStream);
        for (uint id = 7; again.Reset is not null && id < 7 + (2 * 50); id += 2)
        {
            await link.WriteAsync((byte[])[.. Syn(id, Hostname), .. Data(id, "again"u8, fin: true)]);
            again = await ReadStreamAsync(link, id);
            Assert.True(again.Reset is null or MuxErrorCode.RefusedStream, $"stream {id} was reset with {again.Reset}");
        }

        Assert.Null(again.Reset);
        Assert.Equal("again"u8.ToArray(), again.Data);
    }

    public static TheoryData<string, byte[], MuxErrorCode, string> Garbage => new()
    {
        { "unknown type", Header(0, 0x9, 0, 0), MuxErrorCode.ProtocolError, "unknown frame type 0x09" },
        { "oversized", Header(70_000, (byte)MuxFrameType.Data, 0, 1), MuxErrorCode.FrameSizeError, "exceeds" },
        { "ACK from the opener", Header(0, (byte)MuxFrameType.Ack, 0, 1), MuxErrorCode.ProtocolError, "Ack frame sent to the acceptor" },
        { "stream id reuse", [.. Syn(5, Hostname), .. Syn(5, Hostname)], MuxErrorCode.ProtocolError, "stream id reuse" },
        { "data for a stream never opened", [.. Header(1, (byte)MuxFrameType.Data, 0, 77), 42], MuxErrorCode.ProtocolError, "never opened" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Garbage))]
    public async Task MalformedFrame_EndsOnlyThatClientsLinkWithANamedError(string what, byte[] frame, MuxErrorCode expected, string reason)
    {
        ForwarderHandle others = _stack.StartForwarder(Hostname, await _stack.CreateServiceTokenAsync("bystander"));
        await using WebSocketDuplexStream link = await OpenRawLinkAsync();

        await link.WriteAsync(frame);
        (_, ReadOnlySequence<byte> payload) = await ReadFrameAsync(link, MuxFrameType.GoAway);
        (MuxErrorCode code, string sentReason) = MuxFrameReader.ReadCodeAndReason(payload);

        Assert.True(code == expected, $"{what}: expected {expected}, got {code} ({sentReason})");
        Assert.Contains(reason, sentReason, StringComparison.Ordinal);
        for (int i = 0; i < 3; i++)
        {
            using TcpClient client = await others.ConnectAsync();
            byte[] request = System.Text.Encoding.UTF8.GetBytes($"bystander {i}");
            Assert.Equal(request, await client.ExchangeAsync(request, 100, CancellationToken.None).WaitAsync(Limit));
        }
    }

    private async Task<AccessResult> RunOneAsync(ForwarderHandle forwarder)
    {
        var (application, local) = await LoopbackPair.CreateAsync();
        await using (application)
        {
            Task<AccessResult> running = AccessConnection.RunAsync(forwarder.Dialer, local, CancellationToken.None);
            await application.WriteAsync("anyone?"u8.ToArray());
            return await running.WaitAsync(Limit);
        }
    }

    private async Task<HttpResponseMessage> UpgradeAsync(string? subProtocol, bool credential)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, _stack.Edge.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.FromPem(_stack.CaPem).ValidationCallback;
        using var http = new HttpClient(handler);
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://{Hostname}{WireNames.ClientLinkPath}") { Version = HttpVersion.Version11 };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        if (subProtocol is not null)
        {
            request.Headers.Add("Sec-WebSocket-Protocol", subProtocol);
        }

        if (credential)
        {
            request.Headers.Add(WireNames.ServiceTokenIdHeader, _token.ClientId);
            request.Headers.Add(WireNames.ServiceTokenSecretHeader, _token.Secret);
        }

        return await http.SendAsync(request);
    }

    private Task<WebSocketDuplexStream> OpenRawLinkAsync() => OpenRawLinkAsync(_stack, _token);

    private static async Task<WebSocketDuplexStream> OpenRawLinkAsync(DrawbridgeStack stack, ServiceTokenPair token)
    {
        var dialer = new EdgeWebSocketDialer(
            new EdgeEndpoint(Hostname, 443, "127.0.0.1", stack.Edge.Port),
            new EdgeDialerOptions { CaCertificatePem = stack.CaPem, PreferHttp2 = false });
        return await dialer.DialAsync(WireNames.ClientLinkPath,
            [new(WireNames.ServiceTokenIdHeader, token.ClientId), new(WireNames.ServiceTokenSecretHeader, token.Secret)],
            WireNames.MuxSubProtocol, TimeSpan.Zero, CancellationToken.None);
    }
}
