using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

/// <summary>Source-generated JSON for the CLI sign-in endpoints' answers (token, device code, OAuth error).</summary>
[JsonSerializable(typeof(CliTokenResponse))]
[JsonSerializable(typeof(DeviceCodeResponse))]
[JsonSerializable(typeof(OAuthErrorResponse))]
internal sealed partial class SignInJsonContext : JsonSerializerContext
{
    /// <summary>The options ASP.NET Core's <c>Results.Json</c> uses when given no type information
    /// (<c>Microsoft.AspNetCore.Http.Json.JsonOptions</c>: web defaults and the relaxed encoder, which
    /// leaves <c>&lt;</c>, <c>&amp;</c>, <c>+</c> and non-ASCII letters unescaped), so the answers are byte
    /// for byte what these endpoints wrote before they were source-generated. Each member names itself.</summary>
    public static SignInJsonContext Answers { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
