using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Client.Forwarding;

/// <summary>How one user connection ended, with the sentence the user sees.</summary>
internal sealed record AccessResult(ConnectionOutcome Outcome, string Message, long BytesUp, long BytesDown)
{
    public bool Succeeded => Outcome == ConnectionOutcome.Closed;
}
