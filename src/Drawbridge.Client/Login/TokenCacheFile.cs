using System.Text.Json.Serialization;

namespace Drawbridge.Client.Login;

/// <summary>What <see cref="TokenCache"/> writes to <c>tokens/&lt;hostname&gt;.json</c>: the token,
/// its expiry in Unix seconds, and the signed-in email (null when the edge named none).</summary>
internal sealed record TokenCacheFile(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expiresAt")] long ExpiresAt,
    [property: JsonPropertyName("email")] string? Email)
{
    public override string ToString() => $"TokenCacheFile {{ ExpiresAt = {ExpiresAt}, Email = {Email} }}";
}
