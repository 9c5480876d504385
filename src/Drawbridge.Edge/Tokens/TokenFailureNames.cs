namespace Drawbridge.Edge.Tokens;

/// <summary>The snake_case name of each <see cref="TokenFailure"/>: a metric label value, so written out and never renamed with the enum.</summary>
internal static class TokenFailureNames
{
    public static string Name(this TokenFailure failure) => failure switch
    {
        TokenFailure.None => "none",
        TokenFailure.Malformed => "malformed",
        TokenFailure.TooLong => "too_long",
        TokenFailure.UnsupportedHeader => "unsupported_header",
        TokenFailure.UnsupportedAlgorithm => "unsupported_algorithm",
        TokenFailure.AlgorithmNotAllowed => "algorithm_not_allowed",
        TokenFailure.UnknownKeyId => "unknown_key_id",
        TokenFailure.MissingKeyId => "missing_key_id",
        TokenFailure.KeyMismatch => "key_mismatch",
        TokenFailure.BadSignature => "bad_signature",
        TokenFailure.MissingClaim => "missing_claim",
        TokenFailure.WrongIssuer => "wrong_issuer",
        TokenFailure.WrongAudience => "wrong_audience",
        TokenFailure.Expired => "expired",
        TokenFailure.NotYetValid => "not_yet_valid",
        TokenFailure.IssuedInFuture => "issued_in_future",
        TokenFailure.LifetimeTooLong => "lifetime_too_long",
        TokenFailure.WrongNonce => "wrong_nonce",
        _ => "other",
    };
}
