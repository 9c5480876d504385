using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// A token whose signature, algorithm, issuer, audience and times have been checked, with
/// its registered claims typed and the whole payload kept for the rest (an OpenID
/// provider's "email", "groups", … or <see cref="AppTokenClaims.TryRead"/> for ours).
/// </summary>
internal sealed class ValidatedToken
{
    public ValidatedToken(string algorithm, string? keyId, string issuer, string? subject, IReadOnlyList<string> audiences,
        DateTimeOffset expiresAt, DateTimeOffset? notBefore, DateTimeOffset? issuedAt, JsonElement payload)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        Issuer = issuer;
        Subject = subject;
        Audiences = audiences;
        ExpiresAt = expiresAt;
        NotBefore = notBefore;
        IssuedAt = issuedAt;
        Payload = payload;
    }

    public string Algorithm { get; }

    /// <summary>The kid of the key that verified the signature.</summary>
    public string? KeyId { get; }

    public string Issuer { get; }

    public string? Subject { get; }

    public IReadOnlyList<string> Audiences { get; }

    public DateTimeOffset ExpiresAt { get; }

    public DateTimeOffset? NotBefore { get; }

    public DateTimeOffset? IssuedAt { get; }

    /// <summary>The verified claims set (a detached clone: safe to keep).</summary>
    public JsonElement Payload { get; }

    /// <summary>A string claim, or null when it is absent or not a string.</summary>
    public string? GetString(string claim) =>
        Payload.TryGetProperty(claim, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // The payload holds personal data (e-mail, groups): keep it out of logs.
    public override string ToString() => $"{Algorithm} token from {Issuer} for {Subject ?? "(no sub)"}, expires {ExpiresAt:O}";
}
