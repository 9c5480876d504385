namespace Drawbridge.Edge.Identity;

/// <summary>An OpenID sign-in between the redirect to the provider and its callback (keyed by state).</summary>
internal sealed record PendingSignIn(string ProviderId, string Nonce, string CodeVerifier, string ReturnPath)
{
    public override string ToString() => $"PendingSignIn {{ ProviderId = {ProviderId}, ReturnPath = {ReturnPath} }}";
}
