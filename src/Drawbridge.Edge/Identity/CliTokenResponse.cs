using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

/// <summary>The token endpoint's answer to the CLI (RFC 6749 §5.1): an app token, its lifetime in seconds, and for whom.</summary>
internal sealed record CliTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("app")] string App,
    [property: JsonPropertyName("email")] string Email)
{
    public override string ToString() => $"CliTokenResponse {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, App = {App}, Email = {Email} }}";
}
