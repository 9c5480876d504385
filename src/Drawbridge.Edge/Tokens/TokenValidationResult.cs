using System.Diagnostics.CodeAnalysis;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// The outcome of <see cref="JwtValidator.Validate"/>: the validated token, or a failure
/// reason and a sentence safe to log and to show the client (it never contains the token;
/// values taken from the token are shortened and limited to printable ASCII).
/// </summary>
internal sealed class TokenValidationResult
{
    private TokenValidationResult(ValidatedToken? token, TokenFailure failure, string message)
    {
        Token = token;
        Failure = failure;
        Message = message;
    }

    [MemberNotNullWhen(true, nameof(Token))]
    public bool IsValid => Token is not null;

    public ValidatedToken? Token { get; }

    public TokenFailure Failure { get; }

    public string Message { get; }

    public static TokenValidationResult Success(ValidatedToken token) => new(token, TokenFailure.None, "token is valid");

    public static TokenValidationResult Fail(TokenFailure failure, string message) => new(null, failure, message);

    public override string ToString() => IsValid ? Message : $"{Failure}: {Message}";
}
