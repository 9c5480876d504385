using System.Text.Json.Serialization;

namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// Source-generated JSON for credential files, so the CLI can be trimmed and AOT-compiled.
/// Duplicate properties are refused: a credential whose fields mean two things is an attack
/// or a mistake, never something to resolve silently.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false,
    WriteIndented = true)]
[JsonSerializable(typeof(TunnelCredentialDocument))]
[JsonSerializable(typeof(AdminCredentialDocument))]
internal sealed partial class CredentialJsonContext : JsonSerializerContext;
