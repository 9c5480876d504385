using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

[JsonSerializable(typeof(OidcMetadata))]
[JsonSerializable(typeof(OidcTokenResponse))]
internal sealed partial class IdentityJsonContext : JsonSerializerContext;
