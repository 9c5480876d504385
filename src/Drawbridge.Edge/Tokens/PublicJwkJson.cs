using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// The wire form of one published key. It has members for public parameters only: there is
/// no "d" (or any RSA private member) to fill, so a JWKS rendered from it cannot leak one.
/// </summary>
internal sealed record PublicJwkJson(
    [property: JsonPropertyName("kty")] string KeyType,
    [property: JsonPropertyName("kid")] string? KeyId,
    [property: JsonPropertyName("use")] string? Use,
    [property: JsonPropertyName("alg")] string? Algorithm,
    [property: JsonPropertyName("crv")] string? Curve,
    [property: JsonPropertyName("x")] string? X,
    [property: JsonPropertyName("y")] string? Y,
    [property: JsonPropertyName("n")] string? N,
    [property: JsonPropertyName("e")] string? E);
