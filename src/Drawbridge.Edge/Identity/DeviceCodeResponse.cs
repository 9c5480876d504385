using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Identity;

/// <summary>The device authorization response (RFC 8628 §3.2); lifetimes and interval in seconds.</summary>
internal sealed record DeviceCodeResponse(
    [property: JsonPropertyName("device_code")] string DeviceCode,
    [property: JsonPropertyName("user_code")] string UserCode,
    [property: JsonPropertyName("verification_uri")] string VerificationUri,
    [property: JsonPropertyName("verification_uri_complete")] string VerificationUriComplete,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("interval")] long Interval)
{
    public override string ToString() => $"DeviceCodeResponse {{ VerificationUri = {VerificationUri}, ExpiresIn = {ExpiresIn}, Interval = {Interval} }}";
}
