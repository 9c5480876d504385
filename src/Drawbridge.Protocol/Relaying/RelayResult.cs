namespace Drawbridge.Protocol.Relaying;

/// <summary>How a relay ended: the first failure (null when both directions reached EOF) and the bytes each way.</summary>
public sealed record RelayResult(RelayFailure? Failure, long BytesAToB, long BytesBToA, TimeSpan Duration)
{
    public bool Completed => Failure is null;
}
