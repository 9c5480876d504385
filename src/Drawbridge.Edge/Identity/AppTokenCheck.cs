using Drawbridge.Edge.Tokens;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// What <see cref="AppTokens.Validate"/> found: the claims and the kid of the key that verified
/// them, or the check's name for what failed and a sentence safe to show (never the token).
/// </summary>
internal readonly record struct AppTokenCheck(AppTokenClaims? Claims, string? KeyId, TokenFailure Failure, string Message);
