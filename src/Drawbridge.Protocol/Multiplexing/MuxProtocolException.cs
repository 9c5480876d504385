namespace Drawbridge.Protocol.Multiplexing;

/// <summary>
/// The peer broke SPEC.md in a way that ends the whole link (the "connection error" tier,
/// as in Kestrel's Http2ConnectionErrorException). The message names what was wrong.
/// </summary>
public sealed class MuxProtocolException : Exception
{
    public MuxProtocolException(MuxErrorCode code, string message) : base(message) => Code = code;

    public MuxProtocolException() : this(MuxErrorCode.ProtocolError, "protocol error") { }

    public MuxProtocolException(string message) : this(MuxErrorCode.ProtocolError, message) { }

    public MuxProtocolException(string message, Exception inner) : base(message, inner) => Code = MuxErrorCode.ProtocolError;

    public MuxErrorCode Code { get; }
}
