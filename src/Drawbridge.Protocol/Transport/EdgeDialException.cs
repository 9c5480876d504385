using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Protocol.Transport;

/// <summary>Dialing the edge failed; <see cref="Outcome"/> and the message say which step and what to do.</summary>
public sealed class EdgeDialException : Exception
{
    public EdgeDialException(ConnectionOutcome outcome, string message, Exception? inner = null)
        : base(message, inner) => Outcome = outcome;

    public EdgeDialException() : this(ConnectionOutcome.EdgeUnreachable, "could not reach the edge") { }

    public EdgeDialException(string message) : this(ConnectionOutcome.EdgeUnreachable, message) { }

    public EdgeDialException(string message, Exception inner) : this(ConnectionOutcome.EdgeUnreachable, message, inner) { }

    public ConnectionOutcome Outcome { get; }

    /// <summary>
    /// The HTTP status a proxy refused CONNECT with (403, 407, 502...), or null when no proxy
    /// answered with one: lets <c>drawbridge doctor</c> tell "allow this port" from "give
    /// credentials" without reading the message.
    /// </summary>
    public int? ProxyStatus { get; init; }

    /// <summary>True when trying again later may help (the edge or network, not a refusal).</summary>
    public bool Retryable => Outcome is ConnectionOutcome.EdgeUnreachable or ConnectionOutcome.EdgeDraining or ConnectionOutcome.NoConnector or ConnectionOutcome.InternalError;
}
