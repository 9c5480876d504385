using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

/// <summary>The parts of a provider's discovery document (OpenID Connect Discovery 1.0 §3) the edge uses.</summary>
internal sealed record OidcMetadata(
    [property: JsonPropertyName("issuer")] string? Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string? AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string? TokenEndpoint,
    [property: JsonPropertyName("jwks_uri")] string? JwksUri,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string>? SigningAlgorithms,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string>? CodeChallengeMethods,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string>? TokenEndpointAuthMethods);
