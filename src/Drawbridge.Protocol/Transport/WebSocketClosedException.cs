using System.Net.WebSockets;

namespace Drawbridge.Protocol.Transport;

/// <summary>The peer closed a WebSocket with a status other than normal closure: the connection
/// was aborted for the reason given (SPEC.md §1: 4000 + mux error code).</summary>
public sealed class WebSocketClosedException : IOException
{
    public WebSocketClosedException(WebSocketCloseStatus status, string? description)
        : base($"closed by peer with status {(int)status}{(string.IsNullOrEmpty(description) ? "" : ": " + description)}")
    {
        Status = status;
        Description = description ?? "";
    }

    public WebSocketClosedException() : this(WebSocketCloseStatus.Empty, null) { }

    public WebSocketClosedException(string message) : base(message) => Description = message;

    public WebSocketClosedException(string message, Exception inner) : base(message, inner) => Description = message;

    public WebSocketCloseStatus Status { get; }

    public string Description { get; }
}
