namespace Drawbridge.Client.Login;

/// <summary>An app token kept for one hostname between runs.</summary>
internal sealed record CachedToken(string Token, DateTimeOffset ExpiresAt, string? Email)
{
    public override string ToString() => $"CachedToken {{ ExpiresAt = {ExpiresAt:O}, Email = {Email} }}";
}
