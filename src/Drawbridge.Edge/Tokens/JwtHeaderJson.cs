using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Tokens;

/// <summary>The JOSE header of the tokens this edge writes (RFC 7515 §4.1).</summary>
internal sealed record JwtHeaderJson(
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("typ")] string Type);
