using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// Source-generated (de)serialisation of what this edge writes: token headers and payloads,
/// and its published JWKS. Hostile input (tokens from anyone, provider JWKS) is read with
/// <see cref="System.Text.Json.JsonDocument"/> instead, where each member's type and range is
/// checked by hand. Reading our own payload back is strict: every member required, nulls
/// only where declared, no duplicate members.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(JwtHeaderJson))]
[JsonSerializable(typeof(AppTokenPayloadJson))]
[JsonSerializable(typeof(JwksJson))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
