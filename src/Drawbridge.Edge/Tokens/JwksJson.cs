using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Tokens;

/// <summary>The wire form of a published JWK Set (RFC 7517 §5).</summary>
internal sealed record JwksJson([property: JsonPropertyName("keys")] IReadOnlyList<PublicJwkJson> Keys);
