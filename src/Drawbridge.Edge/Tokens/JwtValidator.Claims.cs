using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

internal static partial class JwtValidator
{
    /// <summary>Latest NumericDate accepted: 9999-12-31T23:59:59Z, the end of <see cref="DateTimeOffset"/>.</summary>
    private const long MaxNumericDate = 253_402_300_799;

    private static TokenValidationResult CheckClaims(byte[] payload, JwsAlgorithm algorithm, JsonWebKey key, TokenValidationParameters parameters)
    {
        if (!TryParseObject(payload, "payload", out JsonDocument? document, out TokenValidationResult? failure))
        {
            return failure;
        }

        using (document)
        {
            JsonElement claims = document.RootElement;
            if (!TryReadString(claims, "iss", required: true, out string? issuer, out failure)
                || !TryReadString(claims, "sub", required: false, out string? subject, out failure)
                || !TryReadAudiences(claims, out string[] audiences, out failure)
                || !TryReadTime(claims, "exp", required: true, out long? expires, out failure)
                || !TryReadTime(claims, "nbf", required: false, out long? notBefore, out failure)
                || !TryReadTime(claims, "iat", required: parameters.MaxLifetime is not null, out long? issuedAt, out failure))
            {
                return failure;
            }

            // Who and for whom first: a token for another app is refused as such, even if stale.
            if (issuer != parameters.Issuer)
            {
                return Fail(TokenFailure.WrongIssuer, $"the token was issued by '{Printable(issuer)}', not '{parameters.Issuer}'");
            }

            if (!audiences.Any(parameters.Audiences.Contains))
            {
                return Fail(TokenFailure.WrongAudience,
                    $"the token is for '{Printable(string.Join(", ", audiences))}', not '{string.Join(", ", parameters.Audiences)}'");
            }

            if (CheckTimes(expires!.Value, notBefore, issuedAt, parameters) is { } timeFailure)
            {
                return timeFailure;
            }

            if (parameters.RequiredNonce is not null && !TryCheckNonce(claims, parameters.RequiredNonce, out failure))
            {
                return failure;
            }

            return TokenValidationResult.Success(new ValidatedToken(algorithm.Name, key.KeyId, issuer!, subject, audiences,
                DateTimeOffset.FromUnixTimeSeconds(expires.Value),
                notBefore is { } nbf ? DateTimeOffset.FromUnixTimeSeconds(nbf) : null,
                issuedAt is { } iat ? DateTimeOffset.FromUnixTimeSeconds(iat) : null,
                claims.Clone()));
        }
    }

    /// <summary>RFC 7519 §4.1.4: "exp" has passed, beyond the tolerated skew (seconds throughout).</summary>
    internal static bool HasExpired(long now, long expires, long skew) => now >= expires + skew;

    /// <summary>RFC 7519 §4.1.5: "nbf" is still ahead, beyond the tolerated skew.</summary>
    internal static bool IsNotYetValid(long now, long? notBefore, long skew) => notBefore is { } nbf && now + skew < nbf;

    /// <summary>
    /// RFC 7519 §4.1.4–4.1.6 with a tolerance for clock skew. All in whole seconds, as
    /// NumericDate is, so no arithmetic can overflow near the end of the calendar.
    /// </summary>
    private static TokenValidationResult? CheckTimes(long expires, long? notBefore, long? issuedAt, TokenValidationParameters parameters)
    {
        long now = parameters.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        long skew = (long)parameters.ClockSkew.TotalSeconds;
        if (HasExpired(now, expires, skew))
        {
            return Fail(TokenFailure.Expired, $"token expired at {FormatTime(expires)}");
        }

        if (IsNotYetValid(now, notBefore, skew))
        {
            return Fail(TokenFailure.NotYetValid, $"token is not valid before {FormatTime(notBefore!.Value)}");
        }

        if (issuedAt is { } iat && iat > now + skew)
        {
            return Fail(TokenFailure.IssuedInFuture, $"token claims to be issued at {FormatTime(iat)}, in the future");
        }

        if (parameters.MaxLifetime is { } max && expires - issuedAt!.Value > (long)max.TotalSeconds)
        {
            return Fail(TokenFailure.LifetimeTooLong,
                $"token lives from {FormatTime(issuedAt.Value)} to {FormatTime(expires)}, longer than the {max} allowed");
        }

        return null;
    }

    /// <summary>A NumericDate (RFC 7519 §2): a JSON number of seconds; fractions are truncated.</summary>
    private static bool TryReadTime(JsonElement claims, string name, bool required,
        out long? seconds, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        seconds = null;
        failure = null;
        if (!claims.TryGetProperty(name, out JsonElement element))
        {
            if (required)
            {
                failure = Fail(TokenFailure.MissingClaim, $"the token has no \"{name}\"");
                return false;
            }

            return true;
        }

        long value;
        if (element.ValueKind != JsonValueKind.Number)
        {
            value = -1;
        }
        else if (!element.TryGetInt64(out value))
        {
            // 1.7e9 or 1700000000.5 are legal NumericDates; 1e400 and 2^70 are not dates.
            value = element.TryGetDouble(out double real) && real is >= 0 and <= MaxNumericDate ? (long)real : -1;
        }

        if (value is < 0 or > MaxNumericDate)
        {
            failure = Fail(TokenFailure.Malformed, $"the token's \"{name}\" is not a date (NumericDate)");
            return false;
        }

        seconds = value;
        return true;
    }

    /// <summary>"aud": one string or a non-empty array of strings (RFC 7519 §4.1.3); required here.</summary>
    private static bool TryReadAudiences(JsonElement claims, out string[] audiences, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        audiences = [];
        failure = null;
        if (!claims.TryGetProperty("aud", out JsonElement element))
        {
            failure = Fail(TokenFailure.MissingClaim, "the token has no \"aud\"");
            return false;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            audiences = [element.GetString()!];
            return true;
        }

        if (element.ValueKind == JsonValueKind.Array && element.GetArrayLength() > 0
            && element.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String))
        {
            audiences = [.. element.EnumerateArray().Select(a => a.GetString()!)];
            return true;
        }

        failure = Fail(TokenFailure.Malformed, "the token's \"aud\" is neither a string nor a non-empty array of strings");
        return false;
    }

    private static bool TryCheckNonce(JsonElement claims, string expected, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        if (!TryReadString(claims, "nonce", required: true, out string? nonce, out failure))
        {
            return false;
        }

        // The nonce binds the ID token to this browser's sign-in; compare without a timing signal.
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce!), Encoding.UTF8.GetBytes(expected)))
        {
            failure = Fail(TokenFailure.WrongNonce, "the token's nonce does not match this sign-in");
            return false;
        }

        return true;
    }
}
