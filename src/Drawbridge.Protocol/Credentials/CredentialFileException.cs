namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// A credential file that is unsafe to use, e.g. readable by other users. The message says
/// how to fix it.
/// </summary>
public sealed class CredentialFileException : Exception
{
    public CredentialFileException()
    {
    }

    public CredentialFileException(string message)
        : base(message)
    {
    }

    public CredentialFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
