using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Hosting;

/// <summary>Source-generated JSON for <see cref="RefusalBody"/>: default options, compact, as clients have always read it.</summary>
[JsonSerializable(typeof(RefusalBody))]
internal sealed partial class RefusalJsonContext : JsonSerializerContext;
