namespace Drawbridge.Protocol.Multiplexing;

/// <summary>
/// A stream ended abnormally: reset by either side, or its link was lost (the "stream error"
/// tier). Reads and writes on the stream throw it from then on.
/// </summary>
public sealed class MuxStreamException : IOException
{
    public MuxStreamException(MuxErrorCode code, string reason, bool byPeer)
        : base(Describe(code, reason, byPeer))
    {
        Code = code;
        Reason = reason;
        ByPeer = byPeer;
    }

    public MuxStreamException() : this(MuxErrorCode.InternalError, "stream failed", byPeer: false) { }

    public MuxStreamException(string message) : this(MuxErrorCode.InternalError, message, byPeer: false) { }

    public MuxStreamException(string message, Exception inner) : base(message, inner)
    {
        Code = MuxErrorCode.InternalError;
        Reason = message;
    }

    public MuxErrorCode Code { get; }

    /// <summary>The human-readable reason that came with the RST (or the local one).</summary>
    public string Reason { get; }

    /// <summary>True when the other end of the link reset the stream.</summary>
    public bool ByPeer { get; }

    private static string Describe(MuxErrorCode code, string reason, bool byPeer) =>
        $"stream reset {(byPeer ? "by peer" : "locally")}: {code}{(reason.Length > 0 ? ": " + reason : "")}";
}
