namespace Drawbridge.Edge.Identity;

/// <summary>A sign-in step failed; the message is safe to show the user and to audit (no tokens, no secrets).</summary>
internal sealed class SignInException : Exception
{
    public SignInException(string message) : base(message) { }

    public SignInException() { }

    public SignInException(string message, Exception inner) : base(message, inner) { }
}
