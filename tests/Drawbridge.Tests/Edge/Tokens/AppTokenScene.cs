using Drawbridge.Edge.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Tokens;

/// <summary>An edge that signs app tokens: a fake clock, a key ring, two apps.</summary>
internal sealed class AppTokenScene
{
    public const string Issuer = "https://access.example.com";
    public const string AppA = "db.example.com";
    public const string AppB = "ssh.example.com";

    /// <summary>2026-11-26T09:00:00Z: a one-hour token issued now expires at 10:00:00Z.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);

    public AppTokenScene()
    {
        Ring = SigningKeyRing.Create(Time, MaxLifetime);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public SigningKeyRing Ring { get; set; }

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    public string Kid => Ring.Current.KeyId;

    public AppTokenClaims Claims(string audience = AppA, TimeSpan? lifetime = null, string? email = "ada@example.com") =>
        AppTokenClaims.Issue(Issuer, audience, "user-ada", email, ["admins", "db-readers"], "okta", "session-42",
            Time, lifetime ?? TimeSpan.FromHours(1));

    public string Issue(string audience = AppA, TimeSpan? lifetime = null) => JwtWriter.Write(Claims(audience, lifetime), Ring);

    public TokenValidationParameters Parameters(string audience = AppA) =>
        TokenValidationParameters.ForAppTokens(Ring, Issuer, audience, Time);

    public TokenValidationResult Validate(string token, string audience = AppA) => JwtValidator.Validate(token, Parameters(audience));

    /// <summary>An ES256 header naming the current key.</summary>
    public string Header(string alg = "ES256") => $$"""{"alg":"{{alg}}","kid":"{{Kid}}","typ":"JWT"}""";

    /// <summary>Valid claims for app A around now; <paramref name="extra"/> is spliced in raw.</summary>
    public string Payload(long? iat = null, long? nbf = null, long? exp = null, string audienceJson = $"[\"{AppA}\"]",
        string issuer = Issuer, string extra = "") =>
        HandMadeJwt.Claims(issuer, audienceJson, iat ?? Now, nbf ?? Now, exp ?? Now + 3600, extra);

    /// <summary>A token signed by the edge's real current key over arbitrary header and payload JSON.</summary>
    public string SignWithOurKey(string headerJson, string payloadJson) =>
        HandMadeJwt.Sign(headerJson, payloadJson, data => Ring.Current.Sign(data));
}
