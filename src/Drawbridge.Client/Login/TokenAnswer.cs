using System.Text.Json;

namespace Drawbridge.Client.Login;

/// <summary>Reads the token endpoint's answer: a token, or an OAuth error code and description.</summary>
internal static class TokenAnswer
{
    public static CachedToken? Token(JsonElement answer, TimeProvider time) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("access_token", out JsonElement token) && token.GetString() is { Length: > 0 } value
            ? new CachedToken(value, time.GetUtcNow().AddSeconds(answer.TryGetProperty("expires_in", out JsonElement expires) ? expires.GetInt64() : 0),
                answer.TryGetProperty("email", out JsonElement email) ? email.GetString() : null)
            : null;

    public static (string Error, string Description) Error(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("error", out JsonElement error)
            ? (error.GetString() ?? "error", answer.TryGetProperty("error_description", out JsonElement d) ? d.GetString() ?? "" : "")
            : ("invalid_response", "the edge's answer is not a token response");
}
