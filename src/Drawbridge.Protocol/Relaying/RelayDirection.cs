namespace Drawbridge.Protocol.Relaying;

/// <summary>Which way bytes were moving.</summary>
public enum RelayDirection
{
    /// <summary>From the first stream given to the pump to the second.</summary>
    AToB,

    /// <summary>From the second stream to the first.</summary>
    BToA,
}
