using System.IO.Pipelines;
using System.Net.WebSockets;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>
/// The one factory of connected byte streams for the mux tests: <see cref="Edge"/> is the end
/// the edge holds (the WebSocket server), <see cref="Connector"/> the end the connector dialed.
/// </summary>
internal sealed class StreamPair : IAsyncDisposable
{
    private readonly IAsyncDisposable? _server;

    private StreamPair(Stream edge, Stream connector, IAsyncDisposable? server)
    {
        Edge = edge;
        Connector = connector;
        _server = server;
    }

    public Stream Edge { get; }

    public Stream Connector { get; }

    public static async Task<StreamPair> CreateAsync(TransportKind kind)
    {
        switch (kind)
        {
            case TransportKind.Pipe:
                var (a, b) = DuplexPipeStream.CreatePair();
                return new StreamPair(a, b, null);
            case TransportKind.Tcp:
                var (client, server) = await LoopbackTcp.ConnectPairAsync();
                return new StreamPair(server, client, null);
            case TransportKind.WebSocket:
                TlsWebSocketServer kestrel = await TlsWebSocketServer.StartAsync();
                var (accepted, dialed) = await kestrel.ConnectAsync();
                return new StreamPair(accepted, dialed, kestrel);
            case TransportKind.EdgeWebSocket:
                var toEdge = new Pipe(new PipeOptions(useSynchronizationContext: false));
                var toConnector = new Pipe(new PipeOptions(useSynchronizationContext: false));
                WebSocket dialer = WebSocket.CreateFromStream(DuplexPipeStream.Create(toConnector.Reader, toEdge.Writer),
                    new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
                return new StreamPair(new ServerWebSocketStream(toEdge.Reader, toConnector.Writer), new WebSocketDuplexStream(dialer), null);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Connector.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
