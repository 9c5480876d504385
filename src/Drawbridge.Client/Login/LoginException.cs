namespace Drawbridge.Client.Login;

/// <summary>Signing in did not produce a token; the message says why and what to do.</summary>
internal sealed class LoginException : Exception
{
    public LoginException(string message) : base(message) { }

    public LoginException() { }

    public LoginException(string message, Exception inner) : base(message, inner) { }
}
