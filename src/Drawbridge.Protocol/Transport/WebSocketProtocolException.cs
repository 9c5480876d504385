namespace Drawbridge.Protocol.Transport;

/// <summary>The peer broke RFC 6455; the stream answers with Close 1002 and then fails the read
/// with a <see cref="System.Net.WebSockets.WebSocketException"/> carrying this message.</summary>
internal sealed class WebSocketProtocolException : Exception
{
    public WebSocketProtocolException(string message) : base(message) { }

    public WebSocketProtocolException() { }

    public WebSocketProtocolException(string message, Exception inner) : base(message, inner) { }
}
