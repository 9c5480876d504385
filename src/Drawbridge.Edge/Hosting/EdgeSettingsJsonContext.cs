using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Hosting;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(EdgeSettings))]
internal sealed partial class EdgeSettingsJsonContext : JsonSerializerContext;
