namespace Drawbridge.Protocol.Multiplexing;

/// <summary>Which end of a link this is (SPEC.md §2): only the opener sends SYN.</summary>
public enum MuxRole
{
    /// <summary>The edge: opens streams.</summary>
    Opener,

    /// <summary>The connector: accepts streams and acknowledges them.</summary>
    Acceptor,
}
