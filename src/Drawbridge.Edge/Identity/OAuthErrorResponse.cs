using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

/// <summary>An OAuth error answer (RFC 6749 §5.2, RFC 8628 §3.5) from the token and device-code endpoints.</summary>
internal sealed record OAuthErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);
