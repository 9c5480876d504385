namespace Drawbridge.Protocol.Relaying;

/// <summary>The first failure of a relay: where it happened and what was thrown.</summary>
/// <param name="Direction">The direction whose copy failed.</param>
/// <param name="OnRead">True when reading the source failed, false when writing the destination did.</param>
/// <param name="Error">What was thrown.</param>
public sealed record RelayFailure(RelayDirection Direction, bool OnRead, Exception Error)
{
    /// <summary>True when the failure came from the first stream (A): reading A, or writing A.</summary>
    public bool FromA => (Direction == RelayDirection.AToB) == OnRead;
}
