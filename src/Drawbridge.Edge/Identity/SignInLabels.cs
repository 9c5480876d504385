namespace Drawbridge.Edge.Identity;

/// <summary>
/// The label values of <c>drawbridge_edge_sign_ins_total</c> (docs/METRICS.md): how a person
/// signed in, and whether it worked or which check stopped it. A fixed set: never an address,
/// an e-mail or a message.
/// </summary>
internal static class SignInLabels
{
    /// <summary>The e-mailed one-time PIN.</summary>
    public const string Otp = "otp";

    /// <summary>An OpenID Connect provider (its configured id is the <c>provider</c> label).</summary>
    public const string Oidc = "oidc";

    /// <summary>The CLI redeems a browser sign-in for an app token (loopback redirect, RFC 8252).</summary>
    public const string Cli = "cli";

    /// <summary>The CLI redeems a device code for an app token (RFC 8628).</summary>
    public const string Device = "device";

    public const string SignedIn = "signed_in";
    public const string WrongCode = "wrong_code";
    public const string TooManyTries = "too_many_tries";
    public const string ExpiredCode = "expired_code";
    public const string NoCode = "no_code";
    public const string StateMismatch = "state_mismatch";
    public const string StateUnknown = "state_unknown";
    public const string ProviderError = "provider_error";
    public const string CodeExchangeFailed = "code_exchange_failed";
    public const string IdTokenRefused = "id_token_refused";
    public const string InvalidCode = "invalid_code";
    public const string PkceMismatch = "pkce_mismatch";
    public const string UserDenied = "user_denied";
    public const string SessionEnded = "session_ended";
    public const string AccessDenied = "access_denied";

    /// <summary>Why a PIN did not sign anyone in.</summary>
    public static string Of(PinOutcome outcome) => outcome switch
    {
        PinOutcome.Wrong => WrongCode,
        PinOutcome.TooManyTries => TooManyTries,
        PinOutcome.Expired => ExpiredCode,
        _ => NoCode,
    };
}
