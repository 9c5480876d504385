namespace Drawbridge.Edge.Tokens;

/// <summary>
/// Why a token was refused: one value per check, for the audit log and metrics. The
/// matching human sentence (what failed, with the offending value) is
/// <see cref="TokenValidationResult.Message"/>.
/// </summary>
internal enum TokenFailure
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>Not three base64url parts, not JSON objects, a claim of the wrong type, and the like.</summary>
    Malformed,

    /// <summary>Longer than <see cref="TokenValidationParameters.MaxTokenLength"/>; not even parsed.</summary>
    TooLong,

    /// <summary>The header uses "crit" (RFC 7515 §4.1.11), which this edge understands none of.</summary>
    UnsupportedHeader,

    /// <summary>"alg" is not an asymmetric algorithm this edge implements: "none", HS256, … are never accepted.</summary>
    UnsupportedAlgorithm,

    /// <summary>"alg" is implemented but not allowed for this kind of token (e.g. RS256 where only ES256 is pinned).</summary>
    AlgorithmNotAllowed,

    /// <summary>"kid" names no key in the set (never fetched from the token itself).</summary>
    UnknownKeyId,

    /// <summary>No "kid", and the set does not have exactly one key that could verify the algorithm.</summary>
    MissingKeyId,

    /// <summary>The key named by "kid" has another type, curve or "alg" than the header's algorithm.</summary>
    KeyMismatch,

    /// <summary>The signature does not verify.</summary>
    BadSignature,

    /// <summary>A required claim ("exp", "iss", "aud", "iat" when the lifetime is capped, "nonce" when pinned) is absent.</summary>
    MissingClaim,

    /// <summary>"iss" is not the expected issuer.</summary>
    WrongIssuer,

    /// <summary>"aud" does not name this app (or this OpenID client).</summary>
    WrongAudience,

    /// <summary>Now is past "exp" (plus the clock skew).</summary>
    Expired,

    /// <summary>Now is before "nbf" (minus the clock skew).</summary>
    NotYetValid,

    /// <summary>"iat" is in the future (beyond the clock skew).</summary>
    IssuedInFuture,

    /// <summary>exp − iat exceeds <see cref="TokenValidationParameters.MaxLifetime"/>.</summary>
    LifetimeTooLong,

    /// <summary>"nonce" differs from the one this sign-in sent (OpenID Connect Core §3.1.3.7 step 11).</summary>
    WrongNonce,
}
