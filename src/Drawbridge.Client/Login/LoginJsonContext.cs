using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drawbridge.Client.Login;

/// <summary>Source-generated JSON for sign-in, so the CLI can be trimmed and AOT-compiled: the
/// token cache file, and the edge's answers, read as a <see cref="JsonElement"/> and picked apart
/// by <see cref="TokenAnswer"/>. System.Text.Json's default options: compact, nulls written.</summary>
[JsonSerializable(typeof(TokenCacheFile))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class LoginJsonContext : JsonSerializerContext;
