namespace Drawbridge.Protocol.Tests.Support;

/// <summary>The byte streams a mux link runs on in these tests (yamux's pipes, TCP and TLS).</summary>
public enum TransportKind
{
    /// <summary>In-memory <see cref="DuplexPipeStream"/> pair.</summary>
    Pipe,

    /// <summary>Loopback TCP: a <see cref="System.Net.Sockets.NetworkStream"/> pair.</summary>
    Tcp,

    /// <summary>A WebSocket over TLS between real Kestrel and <see cref="System.Net.WebSockets.ClientWebSocket"/>,
    /// both ends wrapped in <see cref="Drawbridge.Protocol.Transport.WebSocketDuplexStream"/>.</summary>
    WebSocket,

    /// <summary>The edge's own framing, <see cref="Drawbridge.Protocol.Transport.ServerWebSocketStream"/>,
    /// on in-memory pipes as Kestrel hands them over, against the BCL's client WebSocket.</summary>
    EdgeWebSocket,
}
