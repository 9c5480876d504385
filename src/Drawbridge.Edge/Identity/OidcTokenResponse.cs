using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

/// <summary>The token endpoint's answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3); only the ID token is used.</summary>
internal sealed record OidcTokenResponse(
    [property: JsonPropertyName("id_token")] string? IdToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription)
{
    public override string ToString() => $"OidcTokenResponse {{ TokenType = {TokenType}, Error = {Error} }}";
}
