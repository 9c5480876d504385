namespace Drawbridge.Edge.Identity;

/// <summary>The outcome, the code to send (only when issued), and the tries left after a wrong code.</summary>
internal sealed record PinResult(PinOutcome Outcome, string? Code = null, int TriesLeft = 0)
{
    /// <summary>Never print the code.</summary>
    public override string ToString() => $"PinResult {{ Outcome = {Outcome}, TriesLeft = {TriesLeft} }}";
}
